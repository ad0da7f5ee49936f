/**
 * Fault profiles: named, documented deviations from AWS that make the emulator non-conformant on purpose,
 * so the self-test can prove each scenario of the spec fails when the behaviour it checks is broken.
 *
 * A profile builds a `FaultHooks` object for one stack. Each part of the emulator consults only its own
 * hooks (the relay its timers and activity, the SSM API its session operations, the agent the preferences
 * it acts on, the log pipeline its batches, the local target its account seed); a part without hooks
 * behaves as AWS does. No code outside this folder knows a profile by name.
 */
import type { PipelineHooks } from "../agent/logging/uploader";
import type { SessionRecord } from "../sessions/session";
import type { SessionPreferences } from "../ssm/documents";

/** Traffic the gateway sees on a session, as far as the idle timer is concerned. */
export type ActivityKind = "keys" | "size" | "ack" | "resume" | "output";

/** The gateway's session relay: its service-side timers and what counts as activity. */
export interface RelayFaults {
  /** How long (configured ms, before the time scale) the idle timer runs; null: it never fires. */
  idleTimeoutMs?(configuredMs: number): number | null;
  /** How long (configured ms) the maximum-duration timer runs; null: it never fires. */
  maxDurationMs?(configuredMs: number): number | null;
  /** Whether this traffic restarts the idle timer; `standard` is what AWS does. */
  isActivity?(kind: ActivityKind, standard: boolean): boolean;
}

/** The SSM API's session operations. */
export interface SsmFaults {
  /** StartSession to a node with no open control channel succeeds (AWS: TargetNotConnected). */
  acceptsUnconnectedTarget?: boolean;
  /** The Owner recorded for a new session (AWS: the caller's ARN). Also the SessionOwner the agent logs. */
  sessionOwner?(callerArn: string, accountId: string): string;
  /** TerminateSession answers but leaves the session running (AWS: it ends the session). */
  ignoresTerminate?: boolean;
  /** ResumeSession hands out a token for this ended session (AWS: never, for an ended session). */
  resumesEnded?(session: SessionRecord): boolean;
}

/** The agent's session worker. */
export interface AgentFaults {
  /** The preferences the agent acts on, given those the session's document resolves to. */
  preferences?(prefs: SessionPreferences): SessionPreferences;
}

/** The default session preferences (SSM-SessionManagerRunShell) a local target seeds, and its log group. */
export interface AccountSeed {
  idleSessionTimeout: string;
  /** Absent: no maximum session duration (AWS's default). */
  maxSessionDuration?: string;
  cloudWatchLogGroupName: string;
  cloudWatchStreamingEnabled: boolean;
  cloudWatchEncryptionEnabled: boolean;
  /** Retention put on the named log group, in days; absent: the group is left as the fixtures made it. */
  retentionInDays?: number;
}

/** The account a local target seeds: an account that fails the audit rather than a broken service. */
export interface AccountFaults {
  seed(compliant: AccountSeed, groups: { plain: string; encrypted: string }): AccountSeed;
}

/** The hooks of one started stack; state (per-session counters, pending delays) lives in here. */
export interface FaultHooks {
  relay?: RelayFaults;
  ssm?: SsmFaults;
  agent?: AgentFaults;
  logs?: PipelineHooks;
  account?: AccountFaults;
  /** The stack is stopping: release anything held back (delayed batches) at once. */
  stop?(): void;
}

export type FaultParams = Readonly<Record<string, number>>;

export interface FaultProfile {
  readonly name: string;
  /** What the faulty deployment does, in one sentence. */
  readonly summary: string;
  /** What AWS does instead: the behaviour the spec requires. */
  readonly aws: string;
  /** Tunables and their defaults; `--fault name:key=value` overrides them. */
  readonly params?: FaultParams;
  /** Requirement ids of the scenarios that must fail under this profile (the self-test runs them). */
  readonly caughtBy: readonly string[];
  /** What the failure must say: each pattern must match the message of a failing catching scenario. */
  readonly cause: readonly RegExp[];
  /** Scenarios run alongside as controls, expected to pass (default: LIFE-01). */
  readonly controls?: readonly string[];
  /** Builds the hooks for one stack. */
  create(params: FaultParams): FaultHooks;
}

/** A profile chosen for one stack, with its parameters resolved and its hooks built. */
export interface ActiveFault {
  readonly profile: FaultProfile;
  readonly params: FaultParams;
  readonly hooks: FaultHooks;
  /** `name` or `name:key=value,...` as it was given, for banners and reports. */
  readonly label: string;
}
