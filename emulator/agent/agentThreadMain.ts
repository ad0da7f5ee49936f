/** The agents' thread (agentThread.ts): starts the built-in agents, stops them on "stop", then ends. */
import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "../logger";
import type { AgentThreadData, AgentThreadMessage } from "./agentThread";
import { startBuiltInAgents } from "./builtInAgents";

const port = parentPort!;
const { config, logLevel } = workerData as AgentThreadData;
const post = (message: AgentThreadMessage) => port.postMessage(message);

startBuiltInAgents(config, createLogger(logLevel, "stack/agents")).then(
  (agents) => {
    post({ kind: "started" });
    port.once("message", () => {
      agents.stop().then(
        () => {
          post({ kind: "stopped" });
          port.close();
        },
        (error: unknown) => post({ kind: "failed", message: String(error) }),
      );
    });
  },
  (error: unknown) => {
    post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    port.close();
  },
);
