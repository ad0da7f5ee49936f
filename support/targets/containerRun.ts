/**
 * What the two container targets (container.ts, amazonAgent.ts) share around their containers:
 * testcontainers loaded as configured here, an engine that answers, and the run's containers tracked so that
 * nothing outlives the run: stopAll(), a process `exit` handler (second Ctrl-C) and the detached reaper
 * (SIGKILL), all in containerReaper.ts.
 */
import type { StartedTestContainer } from "testcontainers";
import {
  configureTestcontainers,
  removeContainersNow,
  removeRunContainers,
  startReaper,
} from "./containerReaper";

export type Testcontainers = typeof import("testcontainers");
export type RuntimeClient = Awaited<ReturnType<Testcontainers["getContainerRuntimeClient"]>>;

/** testcontainers and the engine's client; throws what noEngine makes of the error when no engine answers. */
export async function connectToEngine(
  noEngine: (error: unknown) => Error,
): Promise<{ tc: Testcontainers; client: RuntimeClient }> {
  // No Ryuk (an image), host 127.0.0.1 (host networking): see configureTestcontainers.
  configureTestcontainers();
  const tc: Testcontainers = await import("testcontainers");
  try {
    return { tc, client: await tc.getContainerRuntimeClient() };
  } catch (error) {
    throw noEngine(error);
  }
}

export interface RunContainers {
  /** The run's containers started so far: add each one as soon as it has started. */
  readonly started: StartedTestContainer[];
  /** Stops and removes them all; the exit handler and the reaper are then no longer needed. */
  stopAll(): Promise<void>;
}

/** From now until stopAll(), the run's containers are removed however the harness exits. */
export function trackRunContainers(runId: string): RunContainers {
  const reaper = startReaper(runId);
  const started: StartedTestContainer[] = [];
  const onExit = () => removeContainersNow(started.map((c) => c.getId()));
  process.on("exit", onExit);
  return {
    started,
    stopAll: async () => {
      // All at once: an agent ends its sessions on SIGTERM (10 s grace); LocalStack needs no grace.
      await Promise.allSettled(
        started.map((c) => c.stop({ timeout: 10_000, remove: true, removeVolumes: true })),
      );
      // Anything a failed start left behind (a container whose readiness wait was cut short).
      await removeRunContainers(runId).catch(() => undefined);
      process.off("exit", onExit);
      reaper.release();
    },
  };
}
