/** The aws target's pure parts: the IAM policy, the nightly workflow, the estimator, flags, names. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { parseCommand, UsageError } from "../../support/cli/args";
import { matrix } from "../../support/cli/awsRun";
import { loadPolicy } from "../../support/config/policy";
import { AwsTargetError, assumedTimeScale, endpointOverrides } from "../../support/targets/aws";
import { deniedAction } from "../../support/targets/awsErrors";
import { estimateRun, formatEstimate, roughDuration } from "../../support/targets/awsEstimate";
import { callerName, REQUIRED_PERMISSIONS } from "../../support/targets/preflight";
import { runIdOfReason, sessionReason } from "../../support/targets/sessionRecorder";

const ROOT = path.resolve(__dirname, "../..");

describe("docs/iam-policy.json", () => {
  const policy = JSON.parse(readFileSync(path.join(ROOT, "docs/iam-policy.json"), "utf8"));
  const statements: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> =
    policy.Statement;
  const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

  it("allows exactly the actions the preflight checks, each once", () => {
    assert.equal(policy.Version, "2012-10-17");
    assert.deepEqual([...actions].sort(), REQUIRED_PERMISSIONS.map((p) => p.action).sort());
    assert.equal(new Set(actions).size, actions.length, "an action appears in two statements");
  });

  it("only allows, and scopes document writes to the run's documents", () => {
    for (const statement of statements) assert.equal(statement.Effect, "Allow");
    const writes = statements.find((s) => [s.Action].flat().includes("ssm:CreateDocument"))!;
    assert.equal(writes.Resource, "arn:aws:ssm:*:*:document/ssm-conformance-*");
    for (const statement of statements) {
      assert.ok(
        ![statement.Action].flat().some((a) => /UpdateDocument/.test(a)),
        "the harness never updates documents (SSM-SessionManagerRunShell is read only)",
      );
    }
  });
});

describe("docs/nightly-conformance.github-actions.yml", () => {
  const workflow = parseYaml(
    readFileSync(path.join(ROOT, "docs/nightly-conformance.github-actions.yml"), "utf8"),
  );
  const steps: Array<
    Record<string, unknown> & { uses?: string; run?: string; with?: Record<string, string> }
  > = Object.values(workflow.jobs as Record<string, { steps: [] }>)[0]!.steps;
  const index = (predicate: (step: (typeof steps)[number]) => boolean, what: string) => {
    const at = steps.findIndex(predicate);
    assert.ok(at >= 0, `no step ${what}`);
    return at;
  };

  it("runs on a schedule and may request an OIDC token", () => {
    assert.ok(Array.isArray(workflow.on.schedule) && workflow.on.schedule.length > 0, "on.schedule");
    assert.match(workflow.on.schedule[0].cron, /^(\S+\s+){4}\S+$/, "a five-field cron");
    assert.equal(workflow.permissions["id-token"], "write");
  });

  it("assumes a role, runs the aws target, keeps history and reports, writes the summary", () => {
    const restore = index((s) => s.uses?.startsWith("actions/cache/restore@") ?? false, "restoring a cache");
    assert.match(steps[restore]!.with!.path!, /history\.jsonl/);
    const credentials = index(
      (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false,
      "configuring AWS credentials",
    );
    assert.ok(steps[credentials]!.with!["role-to-assume"], "role-to-assume");
    assert.ok(!JSON.stringify(steps[credentials]).includes("aws-access-key-id"), "no long-lived keys");
    const run = index((s) => s.run?.includes("--target aws") ?? false, "running --target aws");
    assert.match(steps[run]!.run!, /--report-dir reports/);
    const summary = index((s) => s.run?.includes("GITHUB_STEP_SUMMARY") ?? false, "writing the step summary");
    assert.match(steps[summary]!.run!, /conformance\.md/);
    const upload = index((s) => s.uses?.startsWith("actions/upload-artifact@") ?? false, "uploading reports");
    assert.match(steps[upload]!.with!.path!, /^reports\/?$/);
    const save = index((s) => s.uses?.startsWith("actions/cache/save@") ?? false, "saving a cache");
    assert.match(steps[save]!.with!.path!, /history\.jsonl/);
    assert.ok(restore < run && credentials < run && run < summary && run < upload && run < save);
    for (const after of [summary, upload, save]) {
      assert.match(String(steps[after]!.if), /always\(\)/, `step ${after} runs even when the spec failed`);
    }
  });
});

describe("estimateRun", () => {
  const { policy } = loadPolicy();
  const shell = "a shell session with those preferences";
  const scenarios = [
    {
      name: "idle",
      steps: [shell, "the session is closed after the idle timeout, within the policy's tolerance"],
    },
    {
      name: "typing",
      steps: [shell, "I type a key every quarter of the idle timeout for twice the idle timeout"],
    },
    {
      name: "max",
      steps: [
        shell,
        "the session is closed after the maximum session duration, within the policy's tolerance",
      ],
    },
    { name: "audit", steps: ["the account's default session preferences", "log streaming is enabled"] },
  ];

  it("counts the probes' real minutes and the log waits", () => {
    const estimate = estimateRun(scenarios, policy);
    const [idle, typing, max, audit] = estimate.scenarios;
    assert.ok(idle!.expectedMs >= 60_000 && idle!.atMostMs >= 60_000 + 60_000);
    assert.ok(typing!.expectedMs >= 120_000);
    assert.ok(max!.expectedMs >= 120_000 && max!.atMostMs >= 180_000);
    assert.ok(audit!.expectedMs < 5_000);
    assert.ok(estimate.expectedMs > idle!.expectedMs + typing!.expectedMs + max!.expectedMs);
    assert.ok(estimate.atMostMs > estimate.expectedMs);
  });

  it("multiplies by the runs of a matrix and divides by parallel workers", () => {
    const one = estimateRun(scenarios, policy);
    assert.ok(Math.abs(estimateRun(scenarios, policy, { cells: 3 }).expectedMs - 3 * one.expectedMs) < 1);
    assert.ok(estimateRun(scenarios, policy, { parallel: 2 }).expectedMs < one.expectedMs);
    assert.match(
      formatEstimate(estimateRun(scenarios, policy, { cells: 2 }), policy),
      /^Expected duration: about \d+m \(at most \d+m\) for 4 scenarios x 2 runs/,
    );
  });

  it("prints durations as a user reads them", () => {
    assert.equal(roughDuration(12_300), "13s");
    assert.equal(roughDuration(61_000), "2m");
    assert.equal(roughDuration(65 * 60_000), "1h05m");
  });
});

describe("flags of the aws target", () => {
  const run = (...argv: string[]) => {
    const command = parseCommand(argv);
    assert.ok(command.kind === "run");
    return command.options;
  };

  it("repeats --region, --instance and --log-group, and passes --shard through", () => {
    const options = run(
      "--target=aws",
      "--region=eu-west-1",
      "--region=us-east-1",
      "--log-group=/a",
      "--log-group=/b",
      "--shard=2/3",
    );
    assert.deepEqual(options.regions, ["eu-west-1", "us-east-1"]);
    assert.deepEqual(options.logGroups, ["/a", "/b"]);
    assert.equal(options.shard, "2/3");
  });

  it("refuses what cannot work", () => {
    for (const [argv, message] of [
      [["--shard", "4/3"], /--shard/],
      [["--shard", "x"], /--shard/],
      [["--region", "a", "--region", "b"], /--region is repeatable with --target aws only/],
      [["--target", "aws", "--region", "mars"], /bad region 'mars'/],
      [["--log-group", "/x"], /--log-group applies to --target aws only/],
    ] as const) {
      assert.throws(
        () => parseCommand([...argv]),
        (e: Error) => e instanceof UsageError && message.test(e.message),
      );
    }
  });

  it("parses cleanup", () => {
    const command = parseCommand(["cleanup", "--run-id", "20260101-120000-abc123", "--region", "eu-west-1"]);
    assert.deepEqual(command, {
      kind: "cleanup",
      options: { runId: "20260101-120000-abc123", regions: ["eu-west-1"], dryRun: false },
    });
    const older = parseCommand(["cleanup", "--older-than", "0", "--dry-run"]);
    assert.ok(older.kind === "cleanup" && older.options.olderThanHours === 0 && older.options.dryRun);
    for (const [argv, message] of [
      [["cleanup"], /--run-id <id> or --older-than <hours>/],
      [["cleanup", "--run-id", "x", "--older-than", "1"], /one of them/],
      [["cleanup", "--run-id", "SSM-SessionManagerRunShell"], /bad run id/],
      [["cleanup", "--older-than", "-1"], /--older-than/],
    ] as const) {
      assert.throws(
        () => parseCommand([...argv]),
        (e: Error) => e instanceof UsageError && message.test(e.message),
      );
    }
  });

  it("plans one run per node in one region, one report directory each", async () => {
    const options = run(
      "--target=aws",
      "--region=eu-west-1",
      "--instance=i-0123456789abcdef0",
      "--instance=i-0123456789abcdef1",
    );
    assert.deepEqual(await matrix(options), [
      {
        region: "eu-west-1",
        instance: "i-0123456789abcdef0",
        reportDir: path.join("reports", "eu-west-1", "i-0123456789abcdef0"),
      },
      {
        region: "eu-west-1",
        instance: "i-0123456789abcdef1",
        reportDir: path.join("reports", "eu-west-1", "i-0123456789abcdef1"),
      },
    ]);
    const byTag = run("--target=aws", "--region=eu-west-1", "--region=us-east-1", "--instance-tag=Env=qa");
    assert.deepEqual(
      (await matrix(byTag)).map((c) => c.reportDir),
      [path.join("reports", "eu-west-1"), path.join("reports", "us-east-1")],
    );
    assert.deepEqual(await matrix(run("--target=aws")), [
      { region: undefined, instance: undefined, reportDir: "reports" },
    ]);
  });
});

describe("endpoints and the test-only time scale", () => {
  it("reads the standard overrides, unless told to ignore them", () => {
    assert.deepEqual(endpointOverrides({ AWS_ENDPOINT_URL: "http://a" }), {
      ssm: "http://a",
      logs: "http://a",
    });
    assert.deepEqual(
      endpointOverrides({ AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: "http://l" }),
      { ssm: "http://a", logs: "http://l" },
    );
    assert.deepEqual(
      endpointOverrides({ AWS_ENDPOINT_URL_SSM: "http://s", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }),
      {},
    );
  });

  it("assumes a time scale only with an endpoint override", () => {
    assert.equal(assumedTimeScale({}, undefined), 1);
    assert.equal(assumedTimeScale({ SSM_CONFORMANCE_ASSUME_TIME_SCALE: "60" }, "http://127.0.0.1:1"), 60);
    assert.throws(
      () => assumedTimeScale({ SSM_CONFORMANCE_ASSUME_TIME_SCALE: "60" }, undefined),
      (e: Error) => e instanceof AwsTargetError && /needs AWS_ENDPOINT_URL_SSM/.test(e.message),
    );
    assert.throws(
      () => assumedTimeScale({ SSM_CONFORMANCE_ASSUME_TIME_SCALE: "fast" }, "http://x"),
      AwsTargetError,
    );
  });
});

describe("names", () => {
  it("puts the run id in each session's Reason and reads it back", () => {
    const reason = sessionReason("20260101-120000-abc123", "An idle shell\nis closed");
    assert.equal(reason, "ssm-conformance: run 20260101-120000-abc123: An idle shell is closed");
    assert.equal(runIdOfReason(reason), "20260101-120000-abc123");
    assert.equal(runIdOfReason("ssm-conformance: An old scenario"), undefined);
    assert.equal(runIdOfReason("maintenance"), undefined);
    assert.ok(sessionReason("r", "x".repeat(400)).length <= 256);
  });

  it("derives the session-id prefix of a caller and the action a denial names", () => {
    assert.equal(callerName("arn:aws:iam::123456789012:user/alice"), "alice");
    assert.equal(callerName("arn:aws:sts::123456789012:assumed-role/Conformance/nightly-42"), "nightly-42");
    assert.equal(callerName("arn:aws:iam::123456789012:root"), "root");
    const denial = Object.assign(
      new Error("User: arn:x is not authorized to perform: ssm:AddTagsToResource on resource: y"),
      {
        name: "AccessDeniedException",
      },
    );
    assert.equal(deniedAction(denial, "ssm:CreateDocument"), "ssm:AddTagsToResource");
    assert.equal(deniedAction(new Error("denied"), "ssm:CreateDocument"), "ssm:CreateDocument");
  });
});
