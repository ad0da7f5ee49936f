/**
 * One run's shared state in this worker process: settings, policy and the started target. The target is
 * started once (BeforeAll) and disposed once (AfterAll, or on SIGINT/SIGTERM after ending every session).
 * A target that cannot be had here (TargetUnavailableError) says so once; every scenario is then skipped.
 */

import { type LoadedPolicy, loadPolicy } from "../config/policy";
import { parseSettings, type Settings } from "../config/settings";
import type { SessionClient } from "../session/sessionClient";
import { createTarget } from "../targets";
import { type Target, type TargetDescription, TargetUnavailableError } from "../targets/target";

export interface RunContext {
  settings: Settings;
  policy: LoadedPolicy;
  target: Target;
}

/** A run whose target could not be had: what the report says about it, and why every scenario is skipped. */
export interface UnavailableRun {
  policy: LoadedPolicy;
  description: TargetDescription;
  reason: string;
}

let context: RunContext | undefined;
let unavailable: UnavailableRun | undefined;
let starting: Promise<RunContext | UnavailableRun> | undefined;
const liveSessions = new Set<SessionClient>();

export function startRun(worldParameters: unknown): Promise<RunContext | UnavailableRun> {
  starting ??= (async () => {
    const settings = parseSettings(worldParameters);
    const policy = loadPolicy(settings.policyPath);
    // Before the target starts: a Ctrl-C during start-up skips every scenario and AfterAll cleans up.
    installSignalHandlers();
    try {
      const target = await createTarget(settings);
      context = { settings, policy, target };
      return context;
    } catch (error) {
      if (!(error instanceof TargetUnavailableError)) throw error;
      process.stderr.write(`${error.message}\n`);
      unavailable = { policy, description: error.description, reason: error.message };
      return unavailable;
    }
  })();
  return starting;
}

/** Why every scenario of this run is skipped (its target could not be had), or undefined. */
export function unavailableReason(): string | undefined {
  return unavailable?.reason;
}

export function currentRun(): RunContext {
  if (!context) throw new Error("the run has not started: BeforeAll did not complete");
  return context;
}

export function trackSession(session: SessionClient): void {
  // A session that finished starting after Ctrl-C is ended at once.
  if (interrupted) void session.dispose();
  liveSessions.add(session);
  void session.closed.then(() => liveSessions.delete(session));
}

/** Terminates every session this process started and still has open. */
export async function endAllSessions(): Promise<void> {
  const sessions = [...liveSessions];
  liveSessions.clear();
  await Promise.allSettled(sessions.map((s) => s.dispose()));
}

export async function finishRun(): Promise<void> {
  await endAllSessions();
  await context?.target.dispose();
  // The CLI may run the spec again in this process (one run per node and region on aws).
  context = undefined;
  unavailable = undefined;
  starting = undefined;
}

let interrupted = false;

/** True after Ctrl-C: the remaining scenarios are skipped so cucumber can finish writing its reports. */
export function isInterrupted(): boolean {
  return interrupted;
}

/**
 * First SIGINT/SIGTERM: end every open session now and skip the scenarios left, without exiting, so
 * AfterAll deletes temporary documents and stops the target and the formatters close their files.
 * Second: exit at once.
 */
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.exitCode = 130;
    process.stderr.write(
      `\n${signal}: ending open sessions and skipping the rest (press Ctrl-C again to exit at once)\n`,
    );
    void endAllSessions();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
