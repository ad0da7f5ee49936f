/**
 * The stack's built-in agents: one AgentNode per managed node, with the clients a real agent has (MGS,
 * CloudWatch Logs, KMS), all pointed at the stack's endpoint. The configuration is plain data so that the
 * agents can run on a thread of their own (agentThread.ts); hooks (fault profiles) need them in-process.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import type { Logger } from "../logger";
import { type InputStrictness, resolveSessionPreferences, type SessionPreferences } from "../ssm/documents";
import { sdkTrusting } from "../tls/sdkTrust";
import { AgentNode, EMULATED_AGENT_VERSION } from "./agentNode";
import { sdkLogsApi } from "./logging/logsApi";
import type { PipelineHooks } from "./logging/uploader";
import { MgsClient } from "./mgsClient";
import { startSessionWorker } from "./sessionWorker";
import type { Pacing } from "./shell/outputPump";
import type { SessionTask } from "./task";

export interface BuiltInAgentsConfig {
  nodeIds: string[];
  /** The stack's endpoint (http(s)://127.0.0.1:<port>): MGS, and KMS and CloudWatch Logs by default. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The stack's CA when it serves TLS. */
  caPem?: string;
  /** Where session logs go: a CloudWatch Logs endpoint, "aws", or undefined for the stack's own. */
  logsEndpoint?: string;
  documentInputs: InputStrictness;
  defaultShellUser?: string;
  pacing?: Pacing;
  outputChunkBytes?: number;
}

export interface BuiltInAgentsHooks {
  logHooks?: PipelineHooks;
  /** Changes the preferences the agent acts on (the agent fault profiles). */
  preferences?: (preferences: SessionPreferences) => SessionPreferences;
}

export interface BuiltInAgents {
  /** Kills the agents' shells and closes their channels and clients. */
  stop(): Promise<void>;
}

export async function startBuiltInAgents(
  config: BuiltInAgentsConfig,
  logger: Logger,
  hooks: BuiltInAgentsHooks = {},
): Promise<BuiltInAgents> {
  const { region, credentials, endpoint } = config;
  const sdkConfig = { region, credentials };
  // Our own components trust the stack's CA the way any client would: through their own settings.
  const ownEndpoint = { ...sdkConfig, ...sdkTrusting(config.caPem), endpoint };
  const logsClient = new CloudWatchLogsClient(
    config.logsEndpoint === undefined
      ? ownEndpoint
      : config.logsEndpoint === "aws"
        ? { region }
        : { ...sdkConfig, endpoint: config.logsEndpoint },
  );
  const kmsClient = new KMSClient(ownEndpoint);
  const logsApi = sdkLogsApi(logsClient);
  const mgs = new MgsClient({ url: endpoint, region, credentials, ca: config.caPem });
  const preferencesOf = (task: SessionTask) => {
    const preferences = resolveSessionPreferences(task.documentContent, asParameterLists(task.parameters), {
      inputs: config.documentInputs,
    });
    return hooks.preferences ? hooks.preferences(preferences) : preferences;
  };
  const decryptDataKey = async (ciphertextB64: string, context: Record<string, string>) => {
    const out = await kmsClient.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(ciphertextB64, "base64"),
        EncryptionContext: context,
      }),
    );
    return Buffer.from(out.Plaintext ?? new Uint8Array());
  };
  const agents = config.nodeIds.map(
    (nodeId) =>
      new AgentNode({
        nodeId,
        mgs,
        logger,
        startWorker: (task) =>
          startSessionWorker(task, {
            nodeId,
            region,
            agentVersion: EMULATED_AGENT_VERSION,
            mgs,
            logsApi,
            decryptDataKey,
            preferencesOf,
            defaultShellUser: config.defaultShellUser,
            pacing: config.pacing,
            outputChunkBytes: config.outputChunkBytes,
            logHooks: hooks.logHooks,
            logger: logger.child(`worker/${nodeId}`),
          }),
      }),
  );
  await Promise.all(agents.map((agent) => agent.start()));
  return {
    async stop() {
      await Promise.all(agents.map((agent) => agent.stop()));
      logsClient.destroy();
      kmsClient.destroy();
    },
  };
}

/** interactive_shell carries String parameters as strings; the document resolver takes lists. */
function asParameterLists(parameters: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(String) : [String(value)],
    ]),
  );
}
