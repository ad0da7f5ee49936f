/**
 * The built-in agents on a worker thread of their own, as agents run on machines of their own: their shells'
 * output, data channels and log uploads then use a second core instead of sharing the service's event loop
 * (bench/sessions: at 200 sessions the single loop is the bottleneck). They reach the stack over the same
 * loopback sockets as in-process; only plain configuration crosses the thread boundary, so hooks (fault
 * profiles) need the agents in-process.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { LogLevel } from "../logger";
import type { BuiltInAgents, BuiltInAgentsConfig } from "./builtInAgents";

export interface AgentThreadData {
  config: BuiltInAgentsConfig;
  logLevel: LogLevel;
}

/** Messages from the thread (agentThreadMain.ts). */
export type AgentThreadMessage =
  | { kind: "started" }
  | { kind: "stopped" }
  | { kind: "failed"; message: string };

/** A stop that takes longer than this gives up on the agents' clean shutdown. */
const STOP_LIMIT_MS = 15_000;

export function startAgentThread(data: AgentThreadData): Promise<BuiltInAgents> {
  // The thread loads TypeScript the way this process does (ts-node, tsconfig.json's compiler).
  const register = require.resolve("ts-node/register/transpile-only");
  const main = path.join(__dirname, "agentThreadMain.ts");
  const worker = new Worker(
    `if (!require.extensions[".ts"]) require(${JSON.stringify(register)}); require(${JSON.stringify(main)});`,
    { eval: true, workerData: data },
  );
  const next = () =>
    new Promise<AgentThreadMessage>((resolve, reject) => {
      const onMessage = (message: AgentThreadMessage) => {
        worker.off("error", onError);
        worker.off("exit", onExit);
        resolve(message);
      };
      const onError = (error: Error) => {
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        reject(error);
      };
      const onExit = (code: number) => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        reject(new Error(`the agents' thread exited (code ${code})`));
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
    });
  return next().then((started) => {
    if (started.kind !== "started") {
      void worker.terminate();
      throw new Error(
        `the built-in agents did not start: ${started.kind === "failed" ? started.message : started.kind}`,
      );
    }
    let stopping: Promise<void> | undefined;
    return {
      stop() {
        stopping ??= (async () => {
          const stopped = next().then((message) => message.kind === "stopped");
          worker.postMessage("stop");
          let limit: NodeJS.Timeout | undefined;
          const clean = await Promise.race([
            stopped.catch(() => false),
            new Promise<false>((resolve) => {
              limit = setTimeout(() => resolve(false), STOP_LIMIT_MS);
            }),
          ]).finally(() => clearTimeout(limit));
          // Terminating a thread whose shells still run aborts the process (node-pty), so only after a
          // clean stop; otherwise the thread is left to end by itself without holding the process open.
          if (clean) await worker.terminate();
          else worker.unref();
        })();
        return stopping;
      },
    };
  });
}
