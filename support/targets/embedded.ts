/**
 * The embedded target (the default): the emulator started in-process on loopback, with a time scale so a
 * one-minute idle timeout lasts one second, and an account seeded to meet the default policy.
 */
import { userInfo } from "node:os";
import { EMULATED_AGENT_VERSION } from "../../emulator/agent/agentNode";
import { type StackOptions, type StartedStack, startStack } from "../../emulator/stack";
import { newRunId, TemporaryDocuments } from "../documents/sessionDocument";
import { createCompliantPreferences, createLogGroupFixtures } from "./accountFixtures";
import { createClients, destroyClients } from "./clients";
import type { Target, TargetCapabilities } from "./target";

export const DEFAULT_LOCAL_TIME_SCALE = 60;

export interface EmbeddedTargetOptions {
  timeScale?: number;
  /** Passed through to the emulator (fault profiles, log level, ...). */
  stack?: StackOptions;
}

export async function startEmbeddedTarget(options: EmbeddedTargetOptions = {}): Promise<Target> {
  const timeScale = options.timeScale ?? DEFAULT_LOCAL_TIME_SCALE;
  const stack = await startStack({ ...options.stack, timeScale });
  try {
    return await prepare(stack);
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

async function prepare(stack: StartedStack): Promise<Target> {
  const clients = createClients({
    region: stack.region,
    endpoint: stack.endpoint,
    credentials: stack.credentials,
  });
  const key = stack.kmsKeys[0];
  if (!key) throw new Error("the embedded stack has no KMS key");
  const logGroups = await createLogGroupFixtures(clients.logs, key.arn);
  await createCompliantPreferences(clients.ssm, logGroups.encrypted);
  const documents = new TemporaryDocuments(clients.ssm, newRunId());
  const capabilities: TargetCapabilities = {
    runAs:
      process.getuid?.() === 0
        ? { available: true }
        : {
            available: false,
            reason: `Run As needs the agent to run as root; the embedded stack runs as ${userInfo().username}`,
          },
    kmsKey: { available: true, keyId: key.arn },
  };
  let disposed: Promise<void> | undefined;
  return {
    description: {
      kind: "embedded",
      region: stack.region,
      endpoint: stack.endpoint,
      logsBackend: "ssm-conformance emulator (in-process)",
      nodeIds: [...stack.nodeIds],
      agentVersion: `ssm-conformance agent emulating ${EMULATED_AGENT_VERSION}`,
      timeScale: stack.timeScale,
    },
    clients,
    nodeId: stack.nodeIds[0]!,
    capabilities,
    logGroups,
    realMs: (configuredMs) => configuredMs / stack.timeScale,
    createSessionDocument: (inputs) => documents.create(inputs),
    deleteSessionDocument: (name) => documents.delete(name),
    dispose: () => {
      disposed ??= (async () => {
        await documents.deleteAll();
        destroyClients(clients);
        await stack.stop();
      })();
      return disposed;
    },
  };
}
