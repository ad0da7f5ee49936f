/**
 * Faults of the service itself: the gateway's idle and maximum-duration timers, what it counts as
 * activity, and the SSM API's session operations.
 */
import type { FaultProfile } from "./types";

export const serviceProfiles: FaultProfile[] = [
  {
    name: "no-idle-timeout",
    summary: "The service never enforces the idle session timeout: an idle shell stays open.",
    aws: "The session is closed once no client input has arrived for the idle timeout.",
    caughtBy: ["IDLE-01", "IDLE-04"],
    cause: [/idle timeout: session \S+ was still open/],
    create: () => ({ relay: { idleTimeoutMs: () => null } }),
  },
  {
    name: "late-idle-timeout",
    summary: "The idle timeout fires late, at `factor` (3) times the configured time.",
    aws: "The idle timeout fires at the configured time, within the policy's tolerance.",
    // Not 2: with the default policy (a 1 min probe, 60 s tolerance) a close at 2 min is within tolerance,
    // i.e. conformant by the policy's own words, and would be "caught" only by milliseconds of latency.
    params: { factor: 3 },
    caughtBy: ["IDLE-01", "IDLE-04"],
    cause: [/idle timeout: the session closed after [\d.]+ s, later than/],
    create: ({ factor }) => ({ relay: { idleTimeoutMs: (ms) => ms * factor! } }),
  },
  {
    name: "output-resets-idle",
    summary: "Shell output resets the idle timer, so a command that keeps printing keeps the session alive.",
    aws: "Only client input (keystrokes, resizes, ResumeSession) counts as activity; output does not.",
    caughtBy: ["IDLE-04"],
    cause: [/idle timeout: session \S+ was still open/],
    create: () => ({
      relay: { isActivity: (kind, standard) => (kind === "output" ? true : standard) },
    }),
  },
  {
    name: "idle-not-reset",
    summary:
      "Client input does not restart the idle timer: the session ends one idle timeout after it starts.",
    aws: "Every keystroke, resize or ResumeSession restarts the idle timer.",
    caughtBy: ["IDLE-02", "IDLE-03"],
    cause: [/closed by the service .*timed out due to inactivity/],
    create: () => ({
      relay: {
        isActivity: (kind, standard) =>
          kind === "keys" || kind === "size" || kind === "resume" ? false : standard,
      },
    }),
  },
  {
    name: "resize-not-activity",
    summary: "A terminal resize (Size message) does not count as activity.",
    aws: "A resize is client input and restarts the idle timer, like a keystroke.",
    caughtBy: ["IDLE-03"],
    cause: [/closed by the service .*timed out due to inactivity/],
    create: () => ({
      relay: { isActivity: (kind, standard) => (kind === "size" ? false : standard) },
    }),
  },
  {
    name: "no-max-duration",
    summary: "The maximum session duration is ignored: a busy session never ends by itself.",
    aws: "The session ends at the maximum session duration, however busy it is.",
    caughtBy: ["MAXDUR-01"],
    cause: [/maximum session duration: session \S+ was still open/],
    create: () => ({ relay: { maxDurationMs: () => null } }),
  },
  {
    name: "resume-after-timeout",
    summary: "ResumeSession hands out a new token for a session the idle timeout closed.",
    aws: "A session closed for inactivity cannot be resumed: ResumeSession returns no token.",
    caughtBy: ["IDLE-01"],
    cause: [/ResumeSession gave a token for \S+ after it was closed/],
    create: () => ({ ssm: { resumesEnded: (session) => session.endCause === "idle-timeout" } }),
  },
  {
    name: "terminate-ignored",
    summary: "TerminateSession answers but leaves the session running.",
    aws: "TerminateSession ends the session: channel_closed to both sides, listed as Terminated.",
    caughtBy: ["LIFE-02"],
    cause: [/the service did not close session \S+'s channel after TerminateSession/],
    create: () => ({ ssm: { ignoresTerminate: true } }),
  },
  {
    name: "wrong-owner",
    summary: "Sessions are attributed to the account root instead of the caller (listing and log events).",
    aws: "A session's Owner, and userIdentity.arn in its log events, is the ARN of the caller that started it.",
    caughtBy: ["LIFE-01", "LOG-02"],
    cause: [/Owner of \S+ is \S+, not the caller/, /userIdentity\.arn \S+, caller is/],
    controls: ["LIFE-03"],
    create: () => ({ ssm: { sessionOwner: (_caller, account) => `arn:aws:iam::${account}:root` } }),
  },
  {
    name: "accept-unknown-target",
    summary: "StartSession to a node that is not connected succeeds (the session never connects).",
    aws: "StartSession to a node that is not connected is refused with TargetNotConnected.",
    caughtBy: ["LIFE-03"],
    cause: [/refused with TargetNotConnected, but it succeeded/],
    create: () => ({ ssm: { acceptsUnconnectedTarget: true } }),
  },
];
