/**
 * The embedded target (the default): the emulator started in-process on loopback, with a time scale so a
 * one-minute idle timeout lasts one second, and an account seeded to meet the default policy.
 */
import { userInfo } from "node:os";
import { EMULATED_AGENT_VERSION } from "../../emulator/agent/agentNode";
import { type StackOptions, type StartedStack, startStack } from "../../emulator/stack";
import { newRunId, TemporaryDocuments } from "../documents/sessionDocument";
import { createLogGroupFixtures, seedDefaultPreferences } from "./accountFixtures";
import { assembleTarget } from "./assembleTarget";
import { readCaller } from "./aws";
import { createClients } from "./clients";
import { runPreflight } from "./preflight";
import { SessionRecorder } from "./sessionRecorder";
import type { Target, TargetCapabilities, TargetDescription } from "./target";

export const DEFAULT_LOCAL_TIME_SCALE = 60;
/** As root, the Run As scenarios switch to this user, which every Linux system has. */
export const EMBEDDED_RUN_AS_USER = "nobody";

export interface EmbeddedTargetOptions {
  timeScale?: number;
  /** A fault profile (emulator/faults): the emulator runs non-conformant on purpose. */
  fault?: string;
  /** Serve https/wss with the stack's own CA (emulator/tls); the target's clients trust it. */
  tls?: boolean;
  /** Passed through to the emulator (log level, ...). */
  stack?: StackOptions;
}

export async function startEmbeddedTarget(options: EmbeddedTargetOptions = {}): Promise<Target> {
  const timeScale = options.timeScale ?? DEFAULT_LOCAL_TIME_SCALE;
  const stack = await startStack({
    ...options.stack,
    timeScale,
    ...(options.fault !== undefined && { fault: options.fault }),
    ...(options.tls && { tls: true }),
  });
  try {
    return await prepareStackTarget(stack, {
      kind: "embedded",
      nodeId: stack.nodeIds[0]!,
      agentVersion: `ssm-conformance agent emulating ${EMULATED_AGENT_VERSION}`,
      logsBackend: "ssm-conformance emulator (in-process)",
      runAs:
        process.getuid?.() === 0
          ? { available: true, user: EMBEDDED_RUN_AS_USER }
          : {
              available: false,
              reason: `Run As needs the agent to run as root; the embedded stack runs as ${userInfo().username}`,
            },
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** What differs between the targets whose service side is an in-process stack. */
export interface StackTargetOptions {
  kind: TargetDescription["kind"];
  /** The managed node the scenarios use; its agent is connected already. */
  nodeId: string;
  agentVersion: string;
  logsBackend: string;
  runAs: TargetCapabilities["runAs"];
  /** Stops the agent that serves the node when it is not the stack's own (before the stack stops). */
  stopAgent?: () => Promise<void>;
  /** The run's id when the target made one already (its containers carry it). Default: a new one. */
  runId?: string;
}

/**
 * An in-process stack made a target: the account seeded to meet the default policy, the preflight run,
 * dispose() stopping the agent (when outside) and the stack.
 */
export async function prepareStackTarget(stack: StartedStack, options: StackTargetOptions): Promise<Target> {
  const clients = createClients({
    region: stack.region,
    endpoint: stack.endpoint,
    credentials: stack.credentials,
    ca: stack.tls?.caPem,
  });
  const key = stack.kmsKeys[0];
  if (!key) throw new Error("the embedded stack has no KMS key");
  const fixtures = await createLogGroupFixtures(clients.logs, key.arn);
  // Compliant, unless the fault profile seeds an account that fails the audit.
  await seedDefaultPreferences(clients, fixtures, stack.fault?.hooks.account);
  const caller = await readCaller(clients.sts);
  const documents = new TemporaryDocuments(clients.ssm, options.runId ?? newRunId());
  const recorder = new SessionRecorder(clients.ssm);
  // The same preflight as on AWS (all allowed here): one code path, and the report's run metadata.
  const preflight = await runPreflight({
    clients,
    region: stack.region,
    accountId: caller.accountId,
    callerArn: caller.arn,
    node: { instances: [options.nodeId], instanceTags: [], region: stack.region },
    logGroups: [fixtures.plain, fixtures.encrypted],
    kmsKeyId: key.arn,
    documents,
  });
  const capabilities: TargetCapabilities = {
    runAs: options.runAs,
    kmsKey: { ...preflight.capabilities.kms, keyId: key.arn },
  };
  return assembleTarget(
    {
      description: {
        kind: options.kind,
        region: stack.region,
        endpoint: stack.endpoint,
        logsBackend: options.logsBackend,
        nodeIds: [...stack.nodeIds, ...stack.externalNodeIds],
        agentVersion: options.agentVersion,
        timeScale: stack.timeScale,
        ...(stack.fault && { fault: stack.fault.label }),
        accountId: caller.accountId,
        callerArn: caller.arn,
        runId: documents.runId,
      },
      clients,
      ca: stack.tls?.caPem,
      nodeId: options.nodeId,
      capabilities,
      logGroups: preflight.logGroups,
      preflight,
    },
    {
      recorder,
      documents,
      timeScale: stack.timeScale,
      afterCleanUp: async () => {
        try {
          await options.stopAgent?.();
        } finally {
          await stack.stop();
        }
      },
    },
  );
}
