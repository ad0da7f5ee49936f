/**
 * The World of one scenario: the run's target and policy, the session documents and sessions the
 * scenario made (ended and deleted after it), and the evidence it attaches. Steps stay thin; everything
 * they do goes through here or through support/.
 */
import { type IWorldOptions, setWorldConstructor, World } from "@cucumber/cucumber";
import type { AccountPreferences } from "../checks/accountPreferences";
import type { StreamWatcher } from "../checks/commandLogs";
import type { LoadedPolicy, Policy } from "../config/policy";
import type { Settings } from "../config/settings";
import type { SessionDocumentInputs } from "../documents/sessionDocument";
import { attachEvidence, type Evidence } from "../evidence/evidence";
import { type CommandResult, SessionClient } from "../session/sessionClient";
import { sessionReason } from "../targets/sessionRecorder";
import type { Target } from "../targets/target";
import { currentRun, trackSession } from "./runContext";

export interface ScenarioState {
  /** Preferences the next session document gets. */
  inputs?: SessionDocumentInputs;
  documentName?: string;
  session?: SessionClient;
  /** Why the last StartSession (or session start) failed, when a scenario expects it to. */
  startError?: Error;
  commands: MarkedCommand[];
  /** Real-clock instant StartSession was called. */
  startedAt?: number;
  /** Real-clock instant the session became interactive (its first output, the prompt, arrived). */
  interactiveAt?: number;
  /** Real-clock instant of the last client input (keystroke, resize, resume). */
  lastActivityAt?: number;
  /** The account's preferences, read by the audit's Background. */
  account?: AccountPreferences;
  /** The scenario's log stream watcher (support/checks/commandLogs.ts). */
  watcher?: StreamWatcher;
  /** Stops a background activity (typing) started by a When step. */
  stopActivity?: () => Promise<void>;
}

/** A command run with a unique marker, so its log event can be found. */
export interface MarkedCommand extends CommandResult {
  marker: string;
  /** What the command prints, when that differs from the marker in the typed text. */
  expectedOutput?: string;
}

export class ConformanceWorld extends World<Settings> {
  readonly state: ScenarioState = { commands: [] };
  /** The scenario's name, for the Reason of the sessions it starts. */
  pickleName = "";
  private readonly sessions: SessionClient[] = [];
  private readonly documents: string[] = [];
  private markerCount = 0;

  constructor(options: IWorldOptions<Settings>) {
    super(options);
  }

  get target(): Target {
    return currentRun().target;
  }

  get policy(): Policy {
    return currentRun().policy.policy;
  }

  get loadedPolicy(): LoadedPolicy {
    return currentRun().policy;
  }

  /** The current session; a step that needs one fails clearly without it. */
  get session(): SessionClient {
    if (!this.state.session) throw new Error("no session was started in this scenario");
    return this.state.session;
  }

  /** The policy's command-to-log latency for this target, in ms (never time-scaled). */
  maxCommandToLogMs(): number {
    return this.policy.commandToLog.maxSeconds[this.target.description.kind] * 1000;
  }

  /** Minutes as configured (idle timeout, max duration) in real milliseconds on this target. */
  realMinutes(minutes: number): number {
    return this.target.realMs(minutes * 60_000);
  }

  async createDocument(inputs: SessionDocumentInputs): Promise<string> {
    const name = await this.target.createSessionDocument(inputs);
    this.documents.push(name);
    this.state.documentName = name;
    return name;
  }

  /** Starts a shell on the target's node with the scenario's document (created on first use). */
  async startShell(): Promise<SessionClient> {
    const documentName =
      this.state.documentName ??
      (this.state.inputs ? await this.createDocument(this.state.inputs) : undefined);
    this.state.startedAt = Date.now();
    const session = await SessionClient.start(
      {
        Target: this.target.nodeId,
        DocumentName: documentName,
        Reason: sessionReason(this.target.description.runId, this.pickleName),
      },
      { ssm: this.target.clients.ssm, kms: this.target.clients.kms, ca: this.target.ca },
    );
    this.sessions.push(session);
    trackSession(session);
    this.state.session = session;
    this.state.interactiveAt = Date.now();
    this.state.lastActivityAt = this.state.interactiveAt;
    await this.evidence({
      kind: "session-start",
      measured: this.state.interactiveAt - this.state.startedAt,
      unit: "ms",
      sessionId: session.sessionId,
    });
    return session;
  }

  /** Keystrokes to the current session; they count as activity. */
  type(keys: string): void {
    this.state.lastActivityAt = this.session.send(keys);
  }

  resize(cols: number, rows: number): void {
    this.state.lastActivityAt = this.session.resize(cols, rows);
  }

  /** A marker unique to this scenario run, fixed width so no marker is a prefix of another. */
  newMarker(): string {
    return `ssmc-${this.runToken}-${String(++this.markerCount).padStart(4, "0")}`;
  }

  private readonly runToken = Math.random().toString(36).slice(2, 8);

  /** Runs a command in the current session; it counts as activity and is kept for the log checks. */
  async runMarked(command: string, marker: string, expectedOutput?: string): Promise<MarkedCommand> {
    this.state.lastActivityAt = Date.now();
    const result = await this.session.run(command, 30_000);
    const marked = { ...result, marker, expectedOutput };
    this.state.commands.push(marked);
    return marked;
  }

  async evidence(evidence: Evidence): Promise<void> {
    await attachEvidence((data, mediaType) => this.attach(data, mediaType), evidence);
  }

  /** Ends the scenario's sessions and deletes its documents; failures are reported, not thrown. */
  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    await this.state.stopActivity?.();
    await this.state.watcher?.stop();
    await Promise.all(this.sessions.map((s) => s.dispose()));
    for (const name of this.documents) {
      await this.target
        .deleteSessionDocument(name)
        .catch((e: Error) => problems.push(`delete ${name}: ${e.message}`));
    }
    return problems;
  }
}

setWorldConstructor(ConformanceWorld);
