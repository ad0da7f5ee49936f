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
}

/** A capability a scenario may need; when absent, the reason is printed and the scenario is skipped. */
export type Capability = { available: true } | { available: false; reason: string };

export interface TargetCapabilities {
  /** Run As needs the agent to run as root (the container target; the embedded one only as root). */
  runAs: Capability;
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
  /** The managed node shell scenarios run on. */
  readonly nodeId: string;
  readonly capabilities: TargetCapabilities;
  readonly logGroups: LogGroupFixtures;
  /** Real milliseconds that a configured duration (idle timeout, max duration) lasts on this target. */
  realMs(configuredMs: number): number;
  /** Creates a temporary Session document with these inputs; returns its name. Deleted by dispose(). */
  createSessionDocument(inputs: SessionDocumentInputs): Promise<string>;
  deleteSessionDocument(name: string): Promise<void>;
  /** Deletes what the run created and stops what it started. Safe to call twice. */
  dispose(): Promise<void>;
}
