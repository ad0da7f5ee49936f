/**
 * Accounts that fail the audit rather than broken services: the default preferences a local target seeds
 * (SSM-SessionManagerRunShell) and their log group. Only the preferences scenarios read them.
 */
import type { FaultProfile } from "./types";

export const accountProfiles: FaultProfile[] = [
  {
    name: "lax-preferences",
    summary:
      "The default preferences keep AWS's defaults: idle 20 min, no maximum duration, streaming off, no encryption, 30-day retention.",
    aws: "(an account setting) The policy requires idle <= 15 min, a maximum duration, streamed and encrypted logs, 365 days.",
    caughtBy: ["PREF-01", "PREF-02", "PREF-04", "PREF-05", "PREF-06"],
    cause: [
      /idle session timeout is 20 min/,
      /no maximum session duration is set/,
      /log streaming is off/,
      /cloudWatchEncryptionEnabled is off/,
      /keeps events 30 days/,
    ],
    create: () => ({
      account: {
        seed: (_compliant, groups) => ({
          idleSessionTimeout: "20",
          cloudWatchLogGroupName: groups.plain,
          cloudWatchStreamingEnabled: false,
          cloudWatchEncryptionEnabled: false,
          retentionInDays: 30,
        }),
      },
    }),
  },
  {
    name: "deleted-log-group",
    summary: "The default preferences log to a log group that no longer exists.",
    aws: "(an account setting) Session logs must go to an existing log group.",
    caughtBy: ["PREF-03"],
    cause: [/which does not exist/],
    // LIFE-01 starts its session with these preferences: encryption required on a missing group refuses it.
    controls: ["LIFE-03"],
    create: () => ({
      account: {
        seed: (compliant) => ({
          ...compliant,
          cloudWatchLogGroupName: "/ssm-conformance/sessions/deleted",
          retentionInDays: undefined,
        }),
      },
    }),
  },
];
