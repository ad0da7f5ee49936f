/**
 * A Target gives the steps everything they need and nothing about where it runs (design.md, "Targets"):
 * SDK clients already pointed at the right endpoints, the managed node, log-group fixtures, temporary
 * session documents, the time scale, and dispose(). Adapters: embedded, container, aws.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { STSClient } from "@aws-sdk/client-sts";
import type { TargetKind } from "../config/settings";
import type { SessionDocumentInputs } from "../documents/sessionDocument";
import type { PreflightResult } from "./preflight";

export interface TargetClients {
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  kms: KMSClient;
}

/** What the report states about where the run happened. */
export interface TargetDescription {
  kind: TargetKind;
  region: string;
  /** Service endpoint override, when not AWS's own. */
  endpoint?: string;
  /** Which service answered CloudWatch Logs calls (the emulator, LocalStack or AWS). */
  logsBackend: string;
  nodeIds: string[];
  agentVersion?: string;
  timeScale: number;
  /** The emulator's fault profile (emulator/faults), when it runs non-conformant on purpose. */
  fault?: string;
  /** The caller (sts:GetCallerIdentity), read when the target starts. */
  accountId: string;
  callerArn: string;
  /** Names and tags the run's temporary documents and is part of each session's Reason. */
  runId: string;
}

/**
 * The target cannot be had on this machine (the official agent's package, a Docker engine): not a failure of
 * what is under test, so the run goes on and every scenario is skipped with this one-line message.
 */
export class TargetUnavailableError extends Error {
  constructor(
    message: string,
    /** What the report states about the run that did not happen. */
    readonly description: TargetDescription,
  ) {
    super(message);
  }
}

/** A capability a scenario may need; when absent, the reason is printed and the scenario is skipped. */
export type Capability = { available: true } | { available: false; reason: string };

export interface TargetCapabilities {
  /**
   * Run As needs the agent to run as root (the container target; the embedded one only as root). `user` is
   * the second OS user the Run As scenarios switch to (ssm-runas in the agent container).
   */
  runAs: Capability & { user?: string };
  /** A KMS key the caller may use for session encryption and log-group encryption. */
  kmsKey: Capability & { keyId?: string };
}

/** The log groups behaviour scenarios write to, by kind. */
export interface LogGroupFixtures {
  /** Not encrypted; for streaming and upload-at-end checks. */
  plain: string;
  /** Encrypted with a KMS key. */
  encrypted: string;
}

export interface Target {
  readonly description: TargetDescription;
  readonly clients: TargetClients;
  /** CA certificates (PEM) for the target's wss StreamUrls, when the clients' defaults do not cover them. */
  readonly ca?: string;
  /** The managed node shell scenarios run on. */
  readonly nodeId: string;
  readonly capabilities: TargetCapabilities;
  readonly logGroups: LogGroupFixtures;
  /** Real milliseconds that a configured duration (idle timeout, max duration) lasts on this target. */
  realMs(configuredMs: number): number;
  /** Creates a temporary Session document with these inputs; returns its name. Deleted by dispose(). */
  createSessionDocument(inputs: SessionDocumentInputs): Promise<string>;
  deleteSessionDocument(name: string): Promise<void>;
  /** What the preflight found: permissions, resources, and the capabilities that follow. */
  readonly preflight: PreflightResult;
  /** Every session StartSession returned on this target so far, in order (the report lists them). */
  readonly sessionIds: readonly string[];
  /** Deletes what the run created and stops what it started (every session still active). Safe to call twice. */
  dispose(): Promise<void>;
}
