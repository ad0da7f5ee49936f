import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BUILT_IN_PREFERENCES } from "../../emulator/ssm/documents";
import type { AccountPreferences } from "../../support/checks/accountPreferences";
import { judgeClose } from "../../support/checks/closeTiming";
import {
  encryptionRule,
  idleTimeoutRule,
  loggingRule,
  maxDurationRule,
  retentionRule,
  streamingRule,
} from "../../support/checks/preferenceRules";
import { loadPolicy } from "../../support/config/policy";

const { policy } = loadPolicy();

const compliant: AccountPreferences = {
  documentName: "SSM-SessionManagerRunShell",
  documentFound: true,
  documentVersion: "3",
  preferences: {
    ...BUILT_IN_PREFERENCES,
    idleSessionTimeoutMinutes: 15,
    maxSessionDurationMinutes: 720,
    cloudWatchLogGroupName: "/sessions",
    cloudWatchStreamingEnabled: true,
    cloudWatchEncryptionEnabled: true,
  },
  logGroup: {
    name: "/sessions",
    exists: true,
    kmsKeyId: "arn:aws:kms:us-east-1:1:key/k",
    retentionInDays: 365,
  },
};

const builtIn: AccountPreferences = {
  documentName: "SSM-SessionManagerRunShell",
  documentFound: false,
  preferences: { ...BUILT_IN_PREFERENCES },
};

const rules = { idleTimeoutRule, maxDurationRule, loggingRule, streamingRule, encryptionRule, retentionRule };

describe("preference rules", () => {
  for (const [name, rule] of Object.entries(rules)) {
    test(`${name}: a compliant account passes, AWS's built-in defaults fail`, () => {
      assert.equal(rule(compliant, policy).ok, true, rule(compliant, policy).message);
      const failing = rule(builtIn, policy);
      assert.equal(failing.ok, false);
      assert.ok(failing.message.length > 10);
    });
  }

  test("the idle rule reports the actual value and the bound", () => {
    const result = idleTimeoutRule(
      { ...compliant, preferences: { ...compliant.preferences, idleSessionTimeoutMinutes: 20 } },
      policy,
    );
    assert.equal(result.ok, false);
    assert.equal(result.measured, 20);
    assert.match(result.message, /20 min .* at most 15 min/);
  });

  test("retention: never-expire passes, 30 days fails", () => {
    const never = { ...compliant, logGroup: { ...compliant.logGroup!, retentionInDays: undefined } };
    assert.equal(retentionRule(never, policy).ok, true);
    const short = { ...compliant, logGroup: { ...compliant.logGroup!, retentionInDays: 30 } };
    assert.equal(retentionRule(short, policy).ok, false);
  });

  test("encryption required without a key on the group fails and says so", () => {
    const result = encryptionRule(
      { ...compliant, logGroup: { ...compliant.logGroup!, kmsKeyId: undefined } },
      policy,
    );
    assert.equal(result.ok, false);
    assert.match(result.message, /has no KMS key/);
  });
});

describe("close timing", () => {
  test("a close on time passes", () => {
    const j = judgeClose("idle timeout", 1000, 2050, 1000, 1000);
    assert.equal(j.ok, true);
    assert.equal(j.driftMs, 50);
  });
  test("early and late closes fail with what happened", () => {
    const early = judgeClose("idle timeout", 0, 500, 1000, 1000);
    assert.equal(early.ok, false);
    assert.match(early.message, /before the configured 1.00 s/);
    const late = judgeClose("idle timeout", 0, 2500, 1000, 1000);
    assert.equal(late.ok, false);
    assert.match(late.message, /later than 1.00 s \+ 1.00 s tolerance/);
  });
  test("a known set-up time may come off the early bound", () => {
    assert.equal(judgeClose("max duration", 0, 800, 2000, 1000, 1300).ok, true);
    assert.equal(judgeClose("max duration", 0, 800, 2000, 1000, 0).ok, false);
  });
});
