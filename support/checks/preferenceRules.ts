/**
 * The preferences audit: each rule compares one fact of the account with the policy and says what it
 * found, what is required and whether that passes. Pure functions, so each rule is unit-tested.
 */
import type { Policy } from "../config/policy";
import type { AccountPreferences } from "./accountPreferences";

export interface RuleResult {
  ok: boolean;
  measured: number | string | boolean | null;
  required: number | string | boolean;
  unit?: string;
  /** One sentence: what was found and why it passes or fails. */
  message: string;
}

type Rule = (account: AccountPreferences, policy: Policy) => RuleResult;

const source = (a: AccountPreferences) =>
  a.documentFound
    ? `${a.documentName} version ${a.documentVersion}`
    : `AWS's built-in defaults (${a.documentName} does not exist)`;

export const idleTimeoutRule: Rule = (a, p) => {
  const measured = a.preferences.idleSessionTimeoutMinutes;
  const required = p.preferences.maxIdleSessionTimeoutMinutes;
  const ok = measured <= required;
  return {
    ok,
    measured,
    required: `<= ${required}`,
    unit: "minutes",
    message: `idle session timeout is ${measured} min in ${source(a)}; the policy allows at most ${required} min`,
  };
};

export const maxDurationRule: Rule = (a, p) => {
  const measured = a.preferences.maxSessionDurationMinutes;
  const limit = p.preferences.maxSessionDurationMinutes;
  if (measured === null) {
    return {
      ok: !p.preferences.requireMaxSessionDuration,
      measured: null,
      required: `set, <= ${limit}`,
      unit: "minutes",
      message: `no maximum session duration is set in ${source(a)}; the policy requires one of at most ${limit} min`,
    };
  }
  return {
    ok: measured <= limit,
    measured,
    required: `<= ${limit}`,
    unit: "minutes",
    message: `maximum session duration is ${measured} min in ${source(a)}; the policy allows at most ${limit} min`,
  };
};

export const loggingRule: Rule = (a, p) => {
  const group = a.logGroup;
  const ok = !p.preferences.requireCloudWatchLogging || (group?.exists ?? false);
  const measured = group ? `${group.name}${group.exists ? "" : " (does not exist)"}` : null;
  return {
    ok,
    measured,
    required: "an existing log group",
    message: group
      ? `session logs go to ${group.name}, which ${group.exists ? "exists" : "does not exist"}`
      : `no CloudWatch log group is configured in ${source(a)}`,
  };
};

export const streamingRule: Rule = (a, p) => {
  const measured = a.preferences.cloudWatchStreamingEnabled && a.preferences.cloudWatchLogGroupName !== "";
  return {
    ok: measured || !p.preferences.requireCloudWatchStreaming,
    measured,
    required: true,
    message: measured
      ? "session logs are streamed to CloudWatch Logs as they happen"
      : `log streaming is off in ${source(a)}: logs would arrive only when a session ends`,
  };
};

export const encryptionRule: Rule = (a, p) => {
  const required = a.preferences.cloudWatchEncryptionEnabled;
  const key = a.logGroup?.kmsKeyId;
  const measured = required && key !== undefined;
  return {
    ok: measured || !p.preferences.requireLogGroupEncryption,
    measured: key ?? (required ? "required, but the group has no KMS key" : "not required"),
    required: "required, with a KMS key on the group",
    message: !required
      ? `cloudWatchEncryptionEnabled is off in ${source(a)}`
      : key
        ? `encryption is required and ${a.logGroup?.name} is encrypted with ${key}`
        : `encryption is required but ${a.logGroup?.name ?? "the log group"} has no KMS key`,
  };
};

export const retentionRule: Rule = (a, p) => {
  const min = p.preferences.minLogRetentionDays;
  const group = a.logGroup;
  if (!group?.exists) {
    return {
      ok: false,
      measured: null,
      required: `>= ${min}`,
      unit: "days",
      message: "no existing log group to keep logs in",
    };
  }
  const days = group.retentionInDays;
  const ok = days === undefined || days >= min;
  return {
    ok,
    measured: days ?? "never expire",
    required: `>= ${min}`,
    unit: "days",
    message: `${group.name} keeps events ${days === undefined ? "forever" : `${days} days`}; the policy requires ${min} days`,
  };
};
