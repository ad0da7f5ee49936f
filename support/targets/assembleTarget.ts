/**
 * The part of a Target every adapter builds alike: the sessions the run started, the run's temporary
 * documents, the time scale, and a dispose() that ends those sessions and deletes those documents before
 * the adapter stops what it started.
 */
import type { TemporaryDocuments } from "../documents/sessionDocument";
import { destroyClients } from "./clients";
import type { EndedSessions, SessionRecorder } from "./sessionRecorder";
import type { Target } from "./target";

/** What the shared part of dispose() could not leave clean, for the adapter to report. */
export interface RunCleanUp {
  sessions: EndedSessions;
  /** Documents that could not be deleted. */
  leftDocuments: string[];
}

export interface RunResources {
  recorder: SessionRecorder;
  documents: TemporaryDocuments;
  timeScale: number;
  /** The adapter's own part of dispose(), after the clients are destroyed: report, stop containers or a stack. */
  afterCleanUp?: (cleanUp: RunCleanUp) => Promise<void> | void;
}

/** What differs between adapters. */
export type TargetParts = Omit<
  Target,
  "sessionIds" | "realMs" | "createSessionDocument" | "deleteSessionDocument" | "dispose"
>;

export function assembleTarget(parts: TargetParts, resources: RunResources): Target {
  const { recorder, documents, timeScale, afterCleanUp } = resources;
  let disposed: Promise<void> | undefined;
  return {
    ...parts,
    get sessionIds() {
      return recorder.sessionIds;
    },
    realMs: (configuredMs) => configuredMs / timeScale,
    createSessionDocument: (inputs) => documents.create(inputs),
    deleteSessionDocument: (name) => documents.delete(name),
    // Once only: a second call waits for the first. endActive() and deleteAll() never throw.
    dispose: () => {
      disposed ??= (async () => {
        const sessions = await recorder.endActive();
        const leftDocuments = await documents.deleteAll();
        destroyClients(parts.clients);
        await afterCleanUp?.({ sessions, leftDocuments });
      })();
      return disposed;
    },
  };
}
