/** The ssm-conformance command, spawned as a user runs it: exit statuses, one-line errors, reports. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { type Outcome, ROOT, cli as spawnCli } from "./cli-process";

const scratch = mkdtempSync(path.join(tmpdir(), "ssm-cli-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface SpawnOptions {
  cwd?: string;
  /** Called with the child once it has written to stdout (cucumber is running). */
  onOutput?: (signal: (name: NodeJS.Signals) => void) => void;
}

/** The command without the SDK's warning about this Node version. */
function cli(args: string[], { cwd, onOutput }: SpawnOptions = {}): Promise<Outcome> {
  return spawnCli(args, {
    cwd,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    onSpawn: (child) => child.stdout?.once("data", () => onOutput?.((name) => child.kill(name))),
  });
}

const featureText = () =>
  readdirSync(path.join(ROOT, "features"))
    .filter((file) => file.endsWith(".feature"))
    .map((file) => readFileSync(path.join(ROOT, "features", file), "utf8"))
    .join("\n");
const hasSteps = () =>
  existsSync(path.join(ROOT, "steps")) &&
  readdirSync(path.join(ROOT, "steps")).some((f) => f.endsWith(".ts"));
const hasSmoke = () => /(^|\s)@smoke(\s|$)/m.test(featureText());

describe("bad input: one line on stderr, exit 2", { concurrency: true }, () => {
  const invalidPolicy = path.join(scratch, "invalid.yaml");
  writeFileSync(invalidPolicy, "preferences:\n  maxIdleSessionTimeoutMinutes: 99\n");
  const cases: [string, string[], RegExp][] = [
    ["unknown flag", ["--colour"], /unknown flag '--colour'/],
    ["unknown command", ["frobnicate"], /unexpected argument 'frobnicate'/],
    ["argument after run", ["run", "features/x.feature"], /unexpected argument 'features\/x\.feature'/],
    ["missing value", ["--target"], /--target/],
    ["unknown target", ["--target", "mars"], /unknown target 'mars'/],
    ["parallel not an integer", ["--parallel", "1.5"], /--parallel .*'1\.5'/],
    ["parallel below 1", ["--parallel", "0"], /--parallel .*'0'/],
    ["bad instance id", ["--instance", "i-xyz"], /bad instance id 'i-xyz'/],
    ["bad instance tag", ["--instance-tag", "Environment"], /bad instance tag 'Environment'/],
    [
      "unreadable policy",
      ["--policy", path.join(scratch, "missing.yaml")],
      /missing\.yaml: no such file or directory/,
    ],
    ["policy is a directory", ["--policy", scratch], /illegal operation on a directory/],
    ["invalid policy", ["--policy", invalidPolicy], /maxIdleSessionTimeoutMinutes/],
    ["time scale on aws", ["--target", "aws", "--time-scale", "60"], /--time-scale applies to local targets/],
    ["bad time scale", ["--time-scale", "fast"], /--time-scale .*'fast'/],
    ["bad name regex", ["--name", "("], /--name is not a valid regular expression/],
    ["report without a stream", ["report"], /report needs at least one messages\.ndjson file/],
    [
      "report of a missing stream",
      ["report", "missing.ndjson"],
      /cannot read message stream missing\.ndjson/,
    ],
    ["cleanup without a selection", ["cleanup"], /cleanup needs --run-id <id> or --older-than <hours>/],
  ];
  for (const [title, args, message] of cases) {
    it(title, async () => {
      const { status, stdout, stderr } = await cli(args);
      assert.equal(status, 2);
      assert.equal(stdout, "");
      const lines = stderr.split("\n").filter((line) => line !== "");
      assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
      assert.match(lines[0]!, /^ssm-conformance: /);
      assert.match(lines[0]!, message);
    });
  }
});

describe("help and version", { concurrency: true }, () => {
  it("--help exits 0 and explains every flag and command", async () => {
    const { status, stdout, stderr } = await cli(["--help"]);
    assert.equal(status, 0);
    assert.equal(stderr, "");
    const flags = [
      "--target",
      "--tags",
      "--region",
      "--profile",
      "--instance ",
      "--instance-tag",
      "--policy",
      "--report-dir",
      "--history",
      "--parallel",
      "--time-scale",
      "--name",
      "--dry-run",
      "--fail-fast",
      "--log-group",
      "--shard",
      "--run-id",
      "--older-than",
      "--help",
      "--version",
    ];
    for (const word of [...flags, "run", "report", "cleanup", "npm run conformance"]) {
      assert.ok(stdout.includes(word), `--help does not mention ${word}`);
    }
  });

  it("--version prints the package version, from any cwd", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const { status, stdout } = await cli(["--version"], { cwd: scratch });
    assert.equal(status, 0);
    assert.equal(stdout, `${version}\n`);
  });
});

describe("runs", () => {
  it("--dry-run lists the scenarios without starting a target", async (t) => {
    if (!hasSteps()) return t.skip("no step definitions in steps/ yet");
    // From another cwd, with a relative report dir: reports land relative to the caller.
    const { status, stdout, stderr } = await cli(["--dry-run", "--report-dir", "dry"], { cwd: scratch });
    assert.equal(status, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /Scenarios \(dry run, no target started\): \d+/);
    for (const [, name] of featureText().matchAll(/^\s*Scenario:\s*(.+?)\s*$/gm)) {
      assert.ok(stdout.includes(name!), `dry run does not list "${name}"`);
    }
    const messages = readFileSync(path.join(scratch, "dry/messages.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const hooks = messages
      .filter((m) => m.testRunHookFinished)
      .map((m) => m.testRunHookFinished.result.status);
    assert.ok(
      hooks.every((status) => status === "SKIPPED"),
      `BeforeAll/AfterAll ran: ${hooks}`,
    );
  });

  it("a run of @smoke passes and writes cucumber's reports", { timeout: 180_000 }, async (t) => {
    if (!hasSmoke()) return t.skip("no scenario is tagged @smoke yet");
    const reportDir = path.join(scratch, "smoke");
    const { status, stdout, stderr } = await cli(["--tags", "@smoke", "--report-dir", reportDir]);
    assert.equal(status, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /target {5}embedded/);
    assert.match(stdout, /scenarios {2}[1-9]\d* passed, 0 failed/);
    for (const file of ["cucumber.html", "junit.xml", "messages.ndjson"]) {
      assert.ok(existsSync(path.join(reportDir, file)), `${file} was not written`);
      assert.ok(stdout.includes(path.join(reportDir, file)), `the summary does not list ${file}`);
    }
  });

  it("Ctrl-C twice exits 130 at once", { timeout: 180_000 }, async (t) => {
    if (!hasSmoke()) return t.skip("no scenario is tagged @smoke yet");
    const args = ["--tags", "@smoke", "--report-dir", path.join(scratch, "interrupted")];
    const { status } = await cli(args, {
      onOutput: (signal) => {
        signal("SIGINT");
        setTimeout(() => signal("SIGINT"), 50);
      },
    });
    assert.equal(status, 130);
  });

  it("Ctrl-C once cleans up and exits 130", { timeout: 180_000 }, async (t) => {
    if (!hasSmoke()) return t.skip("no scenario is tagged @smoke yet");
    const args = ["--tags", "@smoke", "--report-dir", path.join(scratch, "cleanup")];
    const { status, stderr } = await cli(args, { onOutput: (signal) => signal("SIGINT") });
    assert.equal(status, 130, stderr);
  });
});
