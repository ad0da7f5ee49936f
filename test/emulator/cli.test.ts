/**
 * `npm run stack` (emulator/cli.ts): flag checking in-process, and the real process: start-up banner, a
 * session through the SDK, clean shutdown on SIGINT (exit 0, no shell left), exit 130 on a second SIGINT,
 * exit 2 with one stderr line for bad flags and for a port in use; --tls (https, the CA file exported).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, test } from "node:test";
import { DescribeInstanceInformationCommand, SSMClient, StartSessionCommand } from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import { parseCli, UsageError } from "../../emulator/cli";
import { STACK_STOP_OUTPUT } from "../../emulator/messages/closeReasons";
import { sdkTrusting } from "../../emulator/tls/sdkTrust";
import { clientOpenDataChannel, decodeFrame, MessageType } from "../../protocol";
import { caBundleFromEnv } from "../../support/config/caBundle";
import { CLIENT_VERSION, SessionClient } from "../../support/session/sessionClient";

const ROOT = path.resolve(__dirname, "../..");
const START_TIMEOUT_MS = 60_000;
const NODE = "i-0123456789abcdef0";
const EXTERNAL = "mi-00000000000000abc";

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runCli(args: string[]): Run {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "emulator/cli.ts", ...args],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitUntil(probe: () => boolean, what: string, timeoutMs: number, run?: Run): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline)
      assert.fail(
        `timed out waiting for ${what}${run ? `; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts the CLI and waits for its banner; returns the run and the printed endpoint. */
async function startCli(args: string[]): Promise<{ run: Run; endpoint: string; banner: string }> {
  const run = runCli(args);
  let exitedEarly = false;
  void run.exited.then(() => {
    exitedEarly = true;
  });
  try {
    await waitUntil(
      () => run.stdout().includes("Ctrl-C stops the emulator") || exitedEarly,
      "the banner",
      START_TIMEOUT_MS,
      run,
    );
  } catch (error) {
    // A stack left running would keep this test file from ever ending.
    run.child.kill("SIGKILL");
    throw error;
  }
  assert.ok(!exitedEarly, `the CLI exited: ${run.stderr()}`);
  const endpoint = /^endpoint: (https?:\/\/127\.0\.0\.1:\d+)$/m.exec(run.stdout())?.[1];
  assert.ok(endpoint, run.stdout());
  return { run, endpoint, banner: run.stdout() };
}

/** Processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(name));
    } catch {}
  }
  return found;
}

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function ssmClient(endpoint: string, banner: string): SSMClient {
  const exported = (name: string) => new RegExp(`^export ${name}=(.+)$`, "m").exec(banner)?.[1];
  return new SSMClient({
    endpoint: exported("AWS_ENDPOINT_URL_SSM") ?? endpoint,
    region: exported("AWS_REGION")!,
    credentials: {
      accessKeyId: exported("AWS_ACCESS_KEY_ID")!,
      secretAccessKey: exported("AWS_SECRET_ACCESS_KEY")!,
    },
    maxAttempts: 1,
  });
}

describe("stack CLI: flags", () => {
  test("defaults", () => {
    assert.deepEqual(parseCli([]), {
      port: 0,
      timeScale: 1,
      nodes: undefined,
      externalNodes: [],
      region: "us-east-1",
      strictSigV4: false,
      logLevel: "info",
      pacing: "faithful",
      defaultShellUser: undefined,
      logsEndpoint: undefined,
      fault: undefined,
      agentThread: false,
      tls: false,
      help: false,
    });
  });

  test("every flag", () => {
    const options = parseCli([
      "--port",
      "4566",
      "--time-scale=60",
      "--node",
      "i-0123456789abcdef0",
      "--node",
      "mi-0123456789abcdef1",
      "--external-node",
      "mi-0fa4e1c0ffee12345",
      "--region",
      "eu-west-2",
      "--strict-sigv4",
      "--log-level",
      "debug",
      "--pacing",
      "unpaced",
      "--default-shell-user",
      "ssm-user",
      "--logs-endpoint",
      "http://127.0.0.1:4566/",
      "--fault",
      "late-idle-timeout:factor=3",
      "--tls",
    ]);
    assert.deepEqual(options, {
      port: 4566,
      timeScale: 60,
      nodes: ["i-0123456789abcdef0", "mi-0123456789abcdef1"],
      externalNodes: ["mi-0fa4e1c0ffee12345"],
      region: "eu-west-2",
      strictSigV4: true,
      logLevel: "debug",
      pacing: "unpaced",
      defaultShellUser: "ssm-user",
      logsEndpoint: "http://127.0.0.1:4566",
      fault: "late-idle-timeout:factor=3",
      agentThread: false,
      tls: true,
      help: false,
    });
    assert.equal(parseCli(["--agent-thread"]).agentThread, true);
    assert.equal(parseCli(["--time-scale", "0.5"]).timeScale, 0.5);
    assert.equal(parseCli(["--help"]).help, true);
    assert.equal(parseCli(["--logs-endpoint", "aws"]).logsEndpoint, "aws");
  });

  const bad: [string[], RegExp][] = [
    [["--bogus"], /unknown option --bogus/],
    [["--agent-thread", "--fault", "kms-ignored"], /--agent-thread cannot be combined with --fault/],
    [["--port", "abc"], /--port must be a number/],
    [["--port", "65536"], /--port must be from 0 to 65535/],
    [["--port", "-1"], /--port must be a number/],
    [["--port", "1.5"], /--port must be a number/],
    [["--port"], /--port needs a value/],
    [["--time-scale", "0"], /--time-scale must be greater than 0/],
    [["--time-scale", "-2"], /--time-scale must be greater than 0/],
    [["--time-scale", "fast"], /--time-scale must be a number/],
    [["--time-scale", "Infinity"], /--time-scale must be a number/],
    [["--node", "i-123"], /--node "i-123" is not a managed node id/],
    [["--node", "i-0123456789ABCDEF0"], /is not a managed node id/],
    [["--node", "x-0123456789abcdef0"], /is not a managed node id/],
    [["--external-node", "mi-0123456789abcdef01"], /--external-node .* is not a managed node id/],
    [["--node", NODE, "--external-node", NODE], /given more than once/],
    [["--log-level", "trace"], /--log-level must be one of debug, info, warn, error/],
    [["--pacing", "fast"], /--pacing must be one of faithful, unpaced/],
    [["--region", "mars"], /--region "mars" is not a region name/],
    [["--strict-sigv4=yes"], /--strict-sigv4 takes no value/],
    [["--tls=yes"], /--tls takes no value/],
    [["serve"], /unexpected argument serve/],
    [["--default-shell-user", "bad user"], /is not a user name/],
    [["--logs-endpoint", "localstack:4566"], /--logs-endpoint must be an http\(s\) URL/],
    [["--logs-endpoint", "http://127.0.0.1:4566/logs"], /--logs-endpoint must be an http\(s\) URL/],
    [["--fault", "flaky"], /--fault: unknown fault profile "flaky"; the profiles are no-idle-timeout, /],
    [
      ["--fault", "slow-logs:speed=2"],
      /--fault: fault profile slow-logs has no parameter "speed" \(it has delayMs\)/,
    ],
    [["--fault", "slow-logs:delayMs=soon"], /--fault: fault parameter slow-logs:delayMs must be a number/],
  ];
  for (const [args, message] of bad) {
    test(`refuses ${args.join(" ")}`, () => {
      assert.throws(
        () => parseCli(args),
        (error: unknown) =>
          error instanceof UsageError && message.test(error.message) && !error.message.includes("\n"),
      );
    });
  }
});

describe("stack CLI: the process", { concurrency: true }, () => {
  test("bad flags: one line on stderr, nothing on stdout, exit 2", async () => {
    const cases = [
      ["--bogus"],
      ["--port", "abc"],
      ["--port", "99999"],
      ["--time-scale", "0"],
      ["--node", "i-nothex00"],
      ["--log-level", "loud"],
    ];
    await Promise.all(
      cases.map(async (args) => {
        const run = runCli(args);
        const { code } = await run.exited;
        assert.equal(code, 2, `${args.join(" ")}: ${run.stderr()}`);
        assert.equal(run.stdout(), "");
        const lines = run.stderr().split("\n").filter(Boolean);
        assert.equal(lines.length, 1, `${args.join(" ")}: ${run.stderr()}`);
        assert.match(lines[0]!, /^stack: .*\(see --help\)$/);
      }),
    );
  });

  test("--help prints the usage and exits 0", async () => {
    const run = runCli(["--help"]);
    assert.equal((await run.exited).code, 0);
    for (const flag of [
      "--port",
      "--time-scale",
      "--node",
      "--external-node",
      "--region",
      "--strict-sigv4",
      "--log-level",
      "--pacing",
      "--default-shell-user",
      "--help",
    ])
      assert.ok(run.stdout().includes(flag), flag);
  });

  test("a port in use: one line, exit 2", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const run = runCli(["--port", String(port), "--log-level", "warn"]);
      const { code } = await run.exited;
      assert.equal(code, 2, run.stderr());
      assert.equal(run.stderr().trimEnd(), `stack: port ${port} is already in use`);
    } finally {
      server.close();
    }
  });

  test("serves a session, then SIGINT closes it, kills the shell and exits 0", async () => {
    const { run, endpoint, banner } = await startCli([
      "--port",
      "0",
      "--node",
      NODE,
      "--external-node",
      EXTERNAL,
      "--log-level",
      "warn",
    ]);
    const port = Number(new URL(endpoint).port);
    assert.ok(port > 0);
    assert.match(banner, new RegExp(`^port: ${port}$`, "m"));
    assert.match(banner, /^region: us-east-1$/m);
    assert.match(banner, new RegExp(`^nodes: ${NODE} `, "m"));
    assert.match(banner, new RegExp(`^external nodes: ${EXTERNAL}$`, "m"));
    assert.match(banner, /^# A real amazon-ssm-agent needs HTTPS: start the stack with --tls/m);
    assert.match(
      banner,
      /^kms key: arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36} \(alias\/ssm-conformance\)$/m,
    );
    for (const name of [
      "AWS_ENDPOINT_URL_SSM",
      "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ])
      assert.match(banner, new RegExp(`^export ${name}=\\S+$`, "m"), name);
    assert.match(banner, new RegExp(`^export AWS_ENDPOINT_URL_SSM=${endpoint}$`, "m"));
    assert.match(
      banner,
      new RegExp(`^aws ssm start-session --target ${NODE} --endpoint-url ${endpoint}( |$)`, "m"),
    );
    assert.doesNotMatch(banner, /TOKEN/i);

    const ssm = ssmClient(endpoint, banner);
    try {
      const nodes = await ssm.send(new DescribeInstanceInformationCommand({}));
      const status = Object.fromEntries(
        (nodes.InstanceInformationList ?? []).map((n) => [n.InstanceId, n.PingStatus]),
      );
      assert.deepEqual(status, { [NODE]: "Online", [EXTERNAL]: "ConnectionLost" });

      const client = await SessionClient.start({ Target: NODE }, { ssm });
      assert.match(client.transcript.text, /[#$] $/, "a prompt");
      const result = await client.run("echo cli-$((6*7))");
      assert.equal(result.output.trim(), "cli-42");

      const shells = process.platform === "linux" ? childrenOf(run.child.pid!) : [];
      if (process.platform === "linux")
        assert.ok(shells.length >= 1, "the session's shell runs under the CLI");

      run.child.kill("SIGINT");
      const closed = await client.closed;
      assert.equal(closed.kind, "channel_closed");
      assert.equal(closed.output, STACK_STOP_OUTPUT);
      const exit = await run.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, run.stderr());
      assert.match(run.stderr(), /shutting down/);
      for (const pid of shells) {
        await waitUntil(() => !isRunning(pid), `shell ${pid} to end`, 5_000);
      }
      await client.dispose();
    } finally {
      ssm.destroy();
      run.child.kill("SIGKILL");
    }
  });

  test("a second SIGINT during shutdown exits at once with 130", async () => {
    const { run, endpoint, banner } = await startCli(["--port", "0", "--node", NODE, "--log-level", "warn"]);
    const ssm = ssmClient(endpoint, banner);
    try {
      // A client that never acknowledges the prompt: on shutdown the agent then waits up to 2 s for its
      // output to drain, which keeps the shutdown going long enough for the second signal.
      const started = await ssm.send(new StartSessionCommand({ Target: NODE }));
      const socket = new WebSocket(started.StreamUrl!, { perMessageDeflate: false });
      socket.on("error", () => {});
      const prompt = new Promise<void>((resolve) =>
        socket.on("message", (data, isBinary) => {
          if (isBinary && decodeFrame(data as Buffer).messageType === MessageType.OutputStreamData) resolve();
        }),
      );
      await new Promise<void>((resolve) => socket.once("open", () => resolve()));
      socket.send(clientOpenDataChannel({ token: started.TokenValue!, clientVersion: CLIENT_VERSION }));
      await prompt;

      run.child.kill("SIGINT");
      await waitUntil(() => run.stderr().includes("shutting down"), "shutdown to begin", 10_000, run);
      // A repeat within 200 ms counts as the same interrupt (npm forwards the terminal's Ctrl-C).
      await new Promise((resolve) => setTimeout(resolve, 400));
      const secondAt = Date.now();
      run.child.kill("SIGINT");
      const exit = await run.exited;
      assert.deepEqual(exit, { code: 130, signal: null }, run.stderr());
      assert.ok(Date.now() - secondAt < 1_500, "exited at once");
      assert.match(run.stderr(), /again: exiting at once/);
      socket.terminate();
    } finally {
      ssm.destroy();
      run.child.kill("SIGKILL");
    }
  });
});

// Apart from the suite above: one more stack process starting alongside the others slows every start.
describe("stack CLI: --tls", () => {
  test("--tls: https endpoint, CA exports a client trusts, the CA file removed on exit", async () => {
    const { run, endpoint, banner } = await startCli([
      "--port",
      "0",
      "--node",
      NODE,
      "--tls",
      "--log-level",
      "warn",
    ]);
    const exported = (name: string) => new RegExp(`^export ${name}=(.+)$`, "m").exec(banner)?.[1];
    assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(exported("AWS_ENDPOINT_URL_SSM"), endpoint);
    const caFile = exported("SSL_CERT_FILE");
    assert.ok(caFile, banner);
    assert.equal(exported("AWS_CA_BUNDLE"), caFile);
    assert.match(banner, new RegExp(`^tls: CA certificate in ${caFile} `, "m"));
    assert.doesNotMatch(banner, /PRIVATE KEY/);
    // The harness reads the CA as AWS tools do, from the exported variables.
    const ca = caBundleFromEnv({ AWS_CA_BUNDLE: caFile });
    const ssm = new SSMClient({
      endpoint,
      region: exported("AWS_REGION")!,
      credentials: {
        accessKeyId: exported("AWS_ACCESS_KEY_ID")!,
        secretAccessKey: exported("AWS_SECRET_ACCESS_KEY")!,
      },
      maxAttempts: 1,
      ...sdkTrusting(ca),
    });
    try {
      // The built-in agent is Online: its control channel went over https and wss.
      assert.ok(existsSync(caFile), "the CA file exists while the stack runs");
      const nodes = await ssm.send(new DescribeInstanceInformationCommand({}));
      assert.equal(nodes.InstanceInformationList?.[0]?.PingStatus, "Online");
      run.child.kill("SIGINT");
      assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
      assert.equal(existsSync(caFile), false, "the CA file is removed on exit");
    } finally {
      ssm.destroy();
      run.child.kill("SIGKILL");
    }
  });
});
