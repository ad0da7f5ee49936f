/**
 * Judges when a session closed against when it should have: idle timeout after the last input, maximum
 * duration after the start. A close that comes early fails as surely as one that comes late.
 */
export interface CloseJudgement {
  ok: boolean;
  /** Real milliseconds from the reference instant (last input, or start) to the close. */
  observedMs: number;
  expectedMs: number;
  /** Observed minus expected, real milliseconds: the idle-timeout accuracy of the report. */
  driftMs: number;
  toleranceMs: number;
  message: string;
}

/** Network and scheduling slack allowed before the configured time, in real ms. */
const EARLY_SLACK_MS = 100;

export function judgeClose(
  what: string,
  fromMs: number,
  closedAtMs: number,
  expectedMs: number,
  toleranceMs: number,
  /** Real ms a close may come before `expectedMs` for a known reason (e.g. session set-up time). */
  earlyAllowanceMs = 0,
): CloseJudgement {
  const observedMs = closedAtMs - fromMs;
  const driftMs = observedMs - expectedMs;
  const early = observedMs < expectedMs - EARLY_SLACK_MS - earlyAllowanceMs;
  const late = driftMs > toleranceMs;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const message = early
    ? `${what}: the session closed after ${seconds(observedMs)}, before the configured ${seconds(expectedMs)}`
    : late
      ? `${what}: the session closed after ${seconds(observedMs)}, later than ${seconds(expectedMs)} + ${seconds(toleranceMs)} tolerance`
      : `${what}: the session closed after ${seconds(observedMs)} (expected ${seconds(expectedMs)}, tolerance ${seconds(toleranceMs)})`;
  return { ok: !early && !late, observedMs, expectedMs, driftMs, toleranceMs, message };
}
