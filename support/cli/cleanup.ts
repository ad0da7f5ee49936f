/**
 * `ssm-conformance cleanup`: removes what a run left behind on aws when it could not clean up itself (a
 * second Ctrl-C, a killed CI job, a lost network): the temporary Session documents (found by the run-id tag
 * and by name prefix; deleted only when their name is one the harness makes) and the active sessions whose
 * Reason says a harness run started them. SSM-SessionManagerRunShell and anything else is never touched.
 */
import {
  type DocumentIdentifier,
  type DocumentKeyValuesFilter,
  ListDocumentsCommand,
  type Session,
  type SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { DOCUMENT_PREFIX, RUN_ID_TAG, TemporaryDocuments } from "../documents/sessionDocument";
import { readCaller, resolveRegion } from "../targets/aws";
import { describeError } from "../targets/awsErrors";
import { createClients, destroyClients } from "../targets/clients";
import { listActiveSessions, runIdOfReason, SESSION_REASON_PREFIX } from "../targets/sessionRecorder";
import type { CleanupOptions } from "./args";

/** The documents the harness makes: `ssm-conformance-<run id>-<n>`. */
const DOCUMENT_NAME = /^ssm-conformance-(\d{8}-\d{6}-[a-z0-9]{1,12})-\d+$/;

export interface Leftovers {
  sessions: Session[];
  documents: DocumentIdentifier[];
}

export interface CleanupOutcome {
  region: string;
  /** Terminated (or, on a dry run, to terminate). */
  sessions: string[];
  /** Deleted (or, on a dry run, to delete). */
  documents: string[];
  /** What could not be removed, with why. */
  failures: string[];
}

/** What `options` selects in one region. */
export async function findLeftovers(
  ssm: SSMClient,
  options: Pick<CleanupOptions, "runId" | "olderThanHours">,
  now = Date.now(),
): Promise<Leftovers> {
  const cutoff = options.olderThanHours === undefined ? undefined : now - options.olderThanHours * 3_600_000;
  const ours = (runId: string | undefined, startedAt: number | undefined) =>
    options.runId !== undefined
      ? runId === options.runId
      : cutoff !== undefined && startedAt !== undefined && startedAt <= cutoff;

  const sessions = (await listActiveSessions(ssm)).filter((s) => {
    if (!s.Reason?.startsWith(SESSION_REASON_PREFIX)) return false;
    const runId = runIdOfReason(s.Reason) ?? DOCUMENT_NAME.exec(s.DocumentName ?? "")?.[1];
    return ours(runId, s.StartDate?.getTime());
  });

  // By the run's tag, and by name among the account's own Session documents; the name decides.
  const tagged =
    options.runId === undefined
      ? []
      : await listDocuments(ssm, [{ Key: `tag:${RUN_ID_TAG}`, Values: [options.runId] }]);
  const named = (await listDocuments(ssm, [])).filter((d) => d.Name?.startsWith(`${DOCUMENT_PREFIX}-`));
  const byName = new Map<string, DocumentIdentifier>();
  for (const doc of [...tagged, ...named]) if (doc.Name) byName.set(doc.Name, doc);
  const documents = [...byName.values()].filter((doc) => {
    const runId = DOCUMENT_NAME.exec(doc.Name!)?.[1];
    if (!runId) return false;
    return ours(runId, doc.CreatedDate?.getTime() ?? runIdTime(runId));
  });
  return { sessions, documents };
}

/** Finds and removes the leftovers in one region (sessions first, then documents). */
export async function cleanUpRegion(
  ssm: SSMClient,
  region: string,
  options: Pick<CleanupOptions, "runId" | "olderThanHours" | "dryRun">,
  now = Date.now(),
): Promise<CleanupOutcome> {
  const found = await findLeftovers(ssm, options, now);
  const outcome: CleanupOutcome = { region, sessions: [], documents: [], failures: [] };
  for (const session of found.sessions) {
    const id = session.SessionId!;
    try {
      if (!options.dryRun) await ssm.send(new TerminateSessionCommand({ SessionId: id }));
      outcome.sessions.push(id);
    } catch (error) {
      outcome.failures.push(`session ${id}: ${describeError(error)}`);
    }
  }
  // TemporaryDocuments.delete: an already deleted document is not an error.
  const deleter = new TemporaryDocuments(ssm, options.runId ?? "cleanup");
  for (const doc of found.documents) {
    try {
      if (!options.dryRun) await deleter.delete(doc.Name!);
      outcome.documents.push(doc.Name!);
    } catch (error) {
      outcome.failures.push(`document ${doc.Name}: ${describeError(error)}`);
    }
  }
  return outcome;
}

/** The cleanup command; returns the exit status (0 clean, 1 something left, 2 cannot start). */
export async function cleanup(
  options: CleanupOptions,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  fail: (message: string) => number = (message) => {
    process.stderr.write(`ssm-conformance: ${message}\n`);
    return 2;
  },
): Promise<number> {
  const what =
    options.runId !== undefined ? `run ${options.runId}` : `runs older than ${options.olderThanHours} h`;
  const regions: (string | undefined)[] = options.regions.length > 0 ? options.regions : [undefined];
  let failed = false;
  for (const requested of regions) {
    const clients = createClients({ region: requested, profile: options.profile });
    try {
      let region: string;
      try {
        region = await resolveRegion(clients, options.profile);
        await readCaller(clients.sts, options.profile);
      } catch (error) {
        return fail(`cleanup: ${describeError(error)}`);
      }
      let outcome: CleanupOutcome;
      try {
        outcome = await cleanUpRegion(clients.ssm, region, options);
      } catch (error) {
        return fail(`cleanup in ${region}: ${describeError(error)}`);
      }
      const verb = options.dryRun ? "would " : "";
      for (const id of outcome.sessions) out(`${region}: ${verb}terminate session ${id}`);
      for (const name of outcome.documents) out(`${region}: ${verb}delete document ${name}`);
      for (const failure of outcome.failures) out(`${region}: could not remove ${failure}`);
      out(
        outcome.sessions.length + outcome.documents.length === 0
          ? `${region}: nothing left behind by ${what}`
          : `${region}: ${options.dryRun ? "found" : "removed"} ${outcome.sessions.length} session(s) and ${outcome.documents.length} document(s) of ${what}`,
      );
      failed ||= outcome.failures.length > 0;
    } finally {
      destroyClients(clients);
    }
  }
  return failed ? 1 : 0;
}

async function listDocuments(
  ssm: SSMClient,
  filters: DocumentKeyValuesFilter[],
): Promise<DocumentIdentifier[]> {
  const all: DocumentIdentifier[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new ListDocumentsCommand({
        Filters: [
          { Key: "Owner", Values: ["Self"] },
          { Key: "DocumentType", Values: ["Session"] },
          ...filters,
        ],
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    all.push(...(page.DocumentIdentifiers ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return all;
}

/** The instant a run id was made (its UTC date and time). */
function runIdTime(runId: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(runId);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
