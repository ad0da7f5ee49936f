/**
 * Opt-in debug trace of one session's data channel (sequence numbers, acks, resends, pauses, reconnects)
 * as client, gateway relay and agent see it. With SSMC_TRACE=1 the events of each session are kept in a
 * bounded in-memory ring, so a test that detects a stall can print what every party did last; otherwise
 * `tracer` returns undefined and the callers' `trace?.(...)` calls cost nothing (their arguments are not
 * even evaluated).
 */

export type TraceFn = (event: string) => void;

/** Events kept per session (SSMC_TRACE_RING overrides): enough for the last seconds of a busy session. */
const RING = Number(process.env.SSMC_TRACE_RING ?? 400);
const rings = new Map<string, string[]>();
const start = Date.now();

export function tracingEnabled(): boolean {
  return process.env.SSMC_TRACE === "1";
}

/** A trace function for `who` ("client", "relay", "agent", ...) in session `sessionId`, when tracing is on. */
export function tracer(sessionId: string, who: string): TraceFn | undefined {
  if (!tracingEnabled()) return undefined;
  return (event) => {
    let ring = rings.get(sessionId);
    if (ring === undefined) {
      ring = [];
      rings.set(sessionId, ring);
    }
    ring.push(`${String(Date.now() - start).padStart(7)} ${who.padEnd(6)} ${event}`);
    if (ring.length > RING) ring.splice(0, ring.length - RING);
  };
}

/** The recorded events of a session, oldest first (empty when tracing is off). */
export function traceOf(sessionId: string): readonly string[] {
  return rings.get(sessionId) ?? [];
}
