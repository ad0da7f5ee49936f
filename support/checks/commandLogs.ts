/** Finds each command's log event and measures how long it took to get there (t0..t3, design.md). */
import type { ConformanceWorld, MarkedCommand } from "../cucumber/world";
import { LogWaitTimeout, LogWatcher, measureLatency } from "../logs/logWatcher";

export interface CommandLatency {
  index: number;
  marker: string;
  ok: boolean;
  t0: number;
  t1?: number;
  t2?: number;
  t3?: number;
  /** t3 - t0, or null when the event never came. */
  observableMs: number | null;
  message: string;
}

export type StreamWatcher = LogWatcher & { logGroupName: string; logStreamName: string };

/**
 * The watcher on the current session's stream, in the group its preferences name: one per scenario, kept
 * across steps so later steps see every event earlier ones did; the World stops it after the scenario.
 */
export function watcherFor(world: ConformanceWorld): StreamWatcher {
  if (world.state.watcher) return world.state.watcher;
  const logGroupName = world.state.inputs?.cloudWatchLogGroupName;
  if (!logGroupName) throw new Error("the scenario's preferences name no log group");
  const logStreamName = world.session.sessionId;
  // Agent clocks may trail the harness's a little; a minute of slack costs one extra page at most.
  const since = (world.state.startedAt ?? Date.now()) - 60_000;
  const watcher = new LogWatcher(world.target.clients.logs, { logGroupName, logStreamName, since }).start();
  world.state.watcher = Object.assign(watcher, { logGroupName, logStreamName });
  return world.state.watcher;
}

/**
 * Waits for each command's line (the echoed command carries its marker) and judges its latency against
 * `limitMs`; waits up to `waitMs` so a late event is measured rather than just missed.
 */
export async function commandLatencies(
  watcher: LogWatcher,
  commands: readonly MarkedCommand[],
  waitMs: number,
  limitMs = waitMs / 3,
): Promise<CommandLatency[]> {
  return Promise.all(
    commands.map(async (command, i): Promise<CommandLatency> => {
      const index = i + 1;
      try {
        const match = await watcher.waitForMarker(
          command.marker,
          Math.max(0, command.sentAt + waitMs - Date.now()),
        );
        const latency = measureLatency(command.sentAt, match);
        const ok = latency.commandToObservable <= limitMs;
        return {
          index,
          marker: command.marker,
          ok,
          t0: command.sentAt,
          t1: match.t1,
          t2: match.t2,
          t3: match.t3,
          observableMs: latency.commandToObservable,
          message: `command ${index} reached the log group after ${(latency.commandToObservable / 1000).toFixed(1)} s, policy allows ${(limitMs / 1000).toFixed(0)} s`,
        };
      } catch (error) {
        if (!(error instanceof LogWaitTimeout)) throw error;
        return {
          index,
          marker: command.marker,
          ok: false,
          t0: command.sentAt,
          observableMs: null,
          message: `command ${index} did not reach the log group within ${(waitMs / 1000).toFixed(0)} s (policy allows ${(limitMs / 1000).toFixed(0)} s)`,
        };
      }
    }),
  );
}
