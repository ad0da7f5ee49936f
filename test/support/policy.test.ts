import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { DEFAULT_POLICY_PATH, loadPolicy, PolicyError } from "../../support/config/policy";
import { parseSettings, SettingsError } from "../../support/config/settings";

const dir = mkdtempSync(path.join(tmpdir(), "ssmc-policy-"));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe("policy", () => {
  test("the default policy is the PCI DSS profile", () => {
    const { policy, path: file, sha256 } = loadPolicy();
    assert.equal(file, DEFAULT_POLICY_PATH);
    assert.equal(policy.preferences.maxIdleSessionTimeoutMinutes, 15);
    assert.equal(policy.preferences.maxSessionDurationMinutes, 720);
    assert.equal(policy.preferences.minLogRetentionDays, 365);
    assert.deepEqual(policy.commandToLog.maxSeconds, { aws: 30, container: 5, embedded: 5 });
    assert.match(sha256, /^[0-9a-f]{64}$/);
  });

  test("a user's YAML file overrides only what it names", () => {
    const { policy } = loadPolicy(write("strict.yaml", "preferences:\n  maxIdleSessionTimeoutMinutes: 10\n"));
    assert.equal(policy.preferences.maxIdleSessionTimeoutMinutes, 10);
    assert.equal(policy.preferences.minLogRetentionDays, 365);
  });

  test("JSON works too", () => {
    const { policy } = loadPolicy(
      write("p.json", JSON.stringify({ commandToLog: { maxSeconds: { aws: 60 } } })),
    );
    assert.equal(policy.commandToLog.maxSeconds.aws, 60);
    assert.equal(policy.commandToLog.maxSeconds.embedded, 5);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ["missing file", "", "", /cannot read policy .*ENOENT/],
    ["not YAML", "bad.yaml", "preferences: [unclosed", /is not valid YAML/],
    [
      "out of range",
      "range.yaml",
      "preferences:\n  maxIdleSessionTimeoutMinutes: 61\n",
      /preferences\.maxIdleSessionTimeoutMinutes/,
    ],
    ["unknown key", "typo.yaml", "preferences:\n  maxIdleTimeout: 10\n", /preferences/],
    ["wrong type", "type.yaml", "probes:\n  idleTimeoutMinutes: soon\n", /probes\.idleTimeoutMinutes/],
  ];
  for (const [what, name, text, pattern] of bad) {
    test(`refuses a policy with ${what} in one line`, () => {
      const file = name ? write(name, text) : path.join(dir, "absent.yaml");
      assert.throws(
        () => loadPolicy(file),
        (error: unknown) =>
          error instanceof PolicyError && pattern.test(error.message) && !error.message.includes("\n"),
      );
    });
  }
});

describe("settings", () => {
  test("defaults to the embedded target", () => {
    const settings = parseSettings({});
    assert.equal(settings.target, "embedded");
    assert.equal(settings.reportDir, "reports");
    assert.deepEqual(settings.instances, []);
  });

  test("refuses unknown targets, bad instance ids and unknown parameters", () => {
    assert.throws(() => parseSettings({ target: "moon" }), SettingsError);
    assert.throws(() => parseSettings({ instances: ["host-1"] }), /instances/);
    assert.throws(() => parseSettings({ colour: "blue" }), SettingsError);
  });

  test("a time scale is for local targets only", () => {
    assert.equal(parseSettings({ target: "embedded", timeScale: 120 }).timeScale, 120);
    assert.throws(() => parseSettings({ target: "aws", timeScale: 60 }), /local targets only/);
  });

  test("a fault profile is for local targets only, and must exist", () => {
    assert.equal(parseSettings({ fault: "no-idle-timeout" }).fault, "no-idle-timeout");
    assert.throws(() => parseSettings({ target: "aws", fault: "no-idle-timeout" }), /local targets only/);
    assert.throws(() => parseSettings({ fault: "flaky" }), /world parameter fault: unknown fault profile/);
  });

  test("tls is for the embedded target only", () => {
    assert.equal(parseSettings({ tls: true }).tls, true);
    for (const target of ["aws", "container"])
      assert.throws(
        () => parseSettings({ target, tls: true }),
        /^Error: tls applies to the embedded target only$/,
      );
    assert.equal(parseSettings({ target: "aws", tls: false }).tls, false);
  });
});
