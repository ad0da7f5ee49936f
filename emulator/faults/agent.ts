/** Faults of the agent: preferences it misreads or ignores (encryption, streaming, KMS, Run As). */
import type { FaultProfile } from "./types";

export const agentProfiles: FaultProfile[] = [
  {
    name: "no-encryption-check",
    summary: "A session starts although encryption is required and the log group is not encrypted.",
    aws: "With cloudWatchEncryptionEnabled and a log group without a KMS key, the session is refused.",
    caughtBy: ["ENC-01"],
    cause: [/expected the session to be refused .*, but it started/],
    create: () => ({ agent: { preferences: (p) => ({ ...p, cloudWatchEncryptionEnabled: false }) } }),
  },
  {
    name: "kms-ignored",
    summary: "The preferences' KMS key is ignored: session data is not encrypted end to end.",
    aws: "With a kmsKeyId the session's data is encrypted with a KMS data key, and the client is told so.",
    caughtBy: ["ENC-03"],
    cause: [/did not say "This session is encrypted using AWS KMS\."/],
    create: () => ({ agent: { preferences: (p) => ({ ...p, kmsKeyId: "" }) } }),
  },
  {
    name: "run-as-ignored",
    summary: "Run As is ignored: shells run as the node's default user, not the user the preferences name.",
    aws: "With runAsEnabled the shell runs as runAsDefaultUser (or the caller's SSMSessionRunAs tag).",
    caughtBy: ["RUNAS-01"],
    cause: [/whoami in the session/],
    create: () => ({ agent: { preferences: (p) => ({ ...p, runAsEnabled: false }) } }),
  },
  {
    name: "upload-at-end",
    summary: "Logs are uploaded only when the session ends, even with streaming on (before November 2020).",
    aws: "With cloudWatchStreamingEnabled each command reaches the log group in near real time.",
    caughtBy: ["LOG-01", "LOG-04", "ENC-02"],
    cause: [
      /command \d+ did not reach the log group within \d+ s|no line equal to the output \S+ within \d+ ms/,
    ],
    create: () => ({
      agent: {
        preferences: (p) => (p.cloudWatchStreamingEnabled ? { ...p, cloudWatchStreamingEnabled: false } : p),
      },
    }),
  },
  {
    name: "always-stream",
    summary: "Logs are streamed even when the preferences turn streaming off.",
    aws: "With cloudWatchStreamingEnabled false the transcript is uploaded once, when the session ends.",
    caughtBy: ["LOG-06"],
    cause: [/while the session was open: logs are being streamed/],
    create: () => ({
      agent: {
        preferences: (p) => (p.cloudWatchLogGroupName ? { ...p, cloudWatchStreamingEnabled: true } : p),
      },
    }),
  },
];
