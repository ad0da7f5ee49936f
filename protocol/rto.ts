/**
 * Retransmission timeout estimation (session-manager-spec.md section 9), identical in the agent and the
 * plugin: an RFC 6298-style smoothed RTT with the constants below, in milliseconds.
 */

export const RTO_INITIAL_MS = 200;
export const RTT_INITIAL_MS = 100;
export const RTTVAR_INITIAL_MS = 0;
/** Weight of a new sample in the smoothed RTT (`RTTConstant`). */
export const RTT_ALPHA = 1 / 8;
/** Weight of a new deviation in the RTT variation (`RTTVConstant`). */
export const RTTVAR_BETA = 1 / 4;
export const CLOCK_GRANULARITY_MS = 10;
/** `MaxTransmissionTimeout`: the RTO never exceeds this. */
export const RTO_MAX_MS = 1000;

export interface RtoState {
  /** Smoothed round-trip time. */
  readonly rtt: number;
  /** Round-trip time variation. */
  readonly rttvar: number;
  /** Retransmission timeout: a message unacked for longer than this is resent. */
  readonly rto: number;
}

export const INITIAL_RTO_STATE: RtoState = {
  rtt: RTT_INITIAL_MS,
  rttvar: RTTVAR_INITIAL_MS,
  rto: RTO_INITIAL_MS,
};

/** The state after one RTT sample (ack time minus the acked message's last send time). */
export function updateRto(state: RtoState, sampleMs: number): RtoState {
  // RTTVAR is updated first, from the previous RTT, as both Go implementations do.
  const rttvar = (1 - RTTVAR_BETA) * state.rttvar + RTTVAR_BETA * Math.abs(state.rtt - sampleMs);
  const rtt = (1 - RTT_ALPHA) * state.rtt + RTT_ALPHA * sampleMs;
  const rto = Math.min(rtt + Math.max(CLOCK_GRANULARITY_MS, 4 * rttvar), RTO_MAX_MS);
  return { rtt, rttvar, rto };
}
