/**
 * The container target: the spec against a managed node in a container (design.md, "Targets"). testcontainers
 * starts the agent image (docker/agent: the emulator's service and agents, shells as ssm-user in the
 * container's own filesystem) and, for CloudWatch Logs, LocalStack pinned to a community tag. Both run on
 * host networking bound to 127.0.0.1, on ports picked here. Where the LocalStack image cannot be had (no
 * registry, no auth token for newer tags), the run says so in one line and the agent container's own logs
 * provider serves CloudWatch Logs; the report's run metadata names the backend that served the run.
 *
 * Nothing outlives the run: dispose() stops the containers; a process `exit` handler removes them when the
 * harness exits early (second Ctrl-C); a detached reaper (containerReaper.ts) removes them when the harness
 * dies (SIGKILL), since testcontainers' own reaper is an image that may not be pullable.
 *
 * Environment:
 *   SSM_CONFORMANCE_AGENT_IMAGE       the agent image (default ssm-conformance/agent:latest; built from
 *                                     docker/agent/Dockerfile when missing)
 *   SSM_CONFORMANCE_AGENT_BASE        BASE for that build (default ssm-conformance/debian-base:trixie when it
 *                                     exists, else debian:trixie-slim)
 *   SSM_CONFORMANCE_CONTAINER_LOGS    auto (default: LocalStack when it can be had, else the agent's own),
 *                                     localstack (required) or agent
 *   SSM_CONFORMANCE_LOCALSTACK_IMAGE  default localstack/localstack:4.14.0 (later tags need an auth token)
 *   SSM_CONFORMANCE_PULL_TIMEOUT      seconds a pull may take (default 300)
 *   LOCALSTACK_AUTH_TOKEN             forwarded to LocalStack when set
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { DescribeInstanceInformationCommand } from "@aws-sdk/client-ssm";
import type { StartedTestContainer } from "testcontainers";
import { EMULATED_AGENT_VERSION } from "../../emulator/agent/agentNode";
import { DEFAULT_NODE_IDS } from "../../emulator/stack";
import { newRunId, TemporaryDocuments } from "../documents/sessionDocument";
import { createCompliantPreferences, createLogGroupFixtures } from "./accountFixtures";
import { assembleTarget } from "./assembleTarget";
import { readCaller } from "./aws";
import { createClients, destroyClients } from "./clients";
import { ROLE_LABEL, RUN_ID_LABEL } from "./containerReaper";
import { connectToEngine, type RuntimeClient, type Testcontainers, trackRunContainers } from "./containerRun";
import { DEFAULT_LOCAL_TIME_SCALE } from "./embedded";
import { runPreflight } from "./preflight";
import { SessionRecorder } from "./sessionRecorder";
import type { Target, TargetCapabilities, TargetClients } from "./target";

export { ROLE_LABEL, RUN_ID_LABEL };

export const DEFAULT_AGENT_IMAGE = "ssm-conformance/agent:latest";
export const LOCAL_BASE_IMAGE = "ssm-conformance/debian-base:trixie";
export const DEFAULT_BASE_IMAGE = "debian:trixie-slim";
/** The last community tag that needs no auth token (peers-and-references.md, C.1). */
export const DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";
/** The second user of the agent image, for Run As; shells run as ssm-user without Run As. */
export const RUN_AS_USER = "ssm-runas";
export const DEFAULT_SHELL_USER = "ssm-user";
const REGION = "us-east-1";
const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const PACKAGE_ROOT = path.resolve(__dirname, "../..");
const LOGS_CHOICES = ["auto", "localstack", "agent"] as const;
export type LogsChoice = (typeof LOGS_CHOICES)[number];

/** The container target cannot start; the message is one line that says why and what to do. */
export class ContainerTargetError extends Error {}

export interface ContainerTargetOptions {
  /** Configured minutes per real minute, as on the embedded target. Default 60. */
  timeScale?: number;
  /** Fault profiles hook into the emulator in-process: the embedded target only. */
  fault?: string;
  agentImage: string;
  /** BASE of the agent image when it has to be built. */
  agentBase?: string;
  logs: LogsChoice;
  localstackImage: string;
  localstackAuthToken?: string;
  pullTimeoutMs: number;
  /** Progress lines (default: stderr, prefixed "container target:"). */
  log?: (line: string) => void;
}

/** The options the environment sets (see the header); throws ContainerTargetError for a bad value. */
export function containerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ContainerTargetOptions {
  const logs = env["SSM_CONFORMANCE_CONTAINER_LOGS"] || "auto";
  if (!(LOGS_CHOICES as readonly string[]).includes(logs)) {
    throw new ContainerTargetError(
      `SSM_CONFORMANCE_CONTAINER_LOGS must be one of ${LOGS_CHOICES.join(", ")}, not '${logs}'`,
    );
  }
  const timeout = env["SSM_CONFORMANCE_PULL_TIMEOUT"];
  const seconds = timeout ? Number(timeout) : 300;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ContainerTargetError(
      `SSM_CONFORMANCE_PULL_TIMEOUT must be a number of seconds, not '${timeout}'`,
    );
  }
  return {
    agentImage: env["SSM_CONFORMANCE_AGENT_IMAGE"] || DEFAULT_AGENT_IMAGE,
    ...(env["SSM_CONFORMANCE_AGENT_BASE"] && { agentBase: env["SSM_CONFORMANCE_AGENT_BASE"] }),
    logs: logs as LogsChoice,
    localstackImage: env["SSM_CONFORMANCE_LOCALSTACK_IMAGE"] || DEFAULT_LOCALSTACK_IMAGE,
    ...(env["LOCALSTACK_AUTH_TOKEN"] && { localstackAuthToken: env["LOCALSTACK_AUTH_TOKEN"] }),
    pullTimeoutMs: seconds * 1000,
  };
}

/** Which service answers CloudWatch Logs calls, for the clients, the agents and the report. */
interface LogsBackend {
  /** Absent: the agent container's own provider (the emulator's endpoint). */
  endpoint?: string;
  /** For the report (TargetDescription.logsBackend), with why LocalStack was not used when it was not. */
  description: string;
  /** For the start-up line. */
  summary: string;
  container?: StartedTestContainer;
}

export async function startContainerTarget(options: ContainerTargetOptions): Promise<Target> {
  const log = options.log ?? ((line: string) => process.stderr.write(`container target: ${line}\n`));
  if (options.fault !== undefined) {
    throw new ContainerTargetError(
      "fault profiles hook into the emulator in-process: use them with --target embedded",
    );
  }
  const timeScale = options.timeScale ?? DEFAULT_LOCAL_TIME_SCALE;
  const { tc, client } = await connectToEngine(
    (error) =>
      new ContainerTargetError(
        `the container target needs a Docker engine and none answers (${firstLine(error)}); start dockerd, or use --target embedded`,
      ),
  );

  const runId = newRunId();
  const { started, stopAll } = trackRunContainers(runId);
  const labels = (role: string) => ({ [RUN_ID_LABEL]: runId, [ROLE_LABEL]: role });

  try {
    const agentImage = await ensureAgentImage(tc, client, options, log);
    const logs = await startLogsBackend(tc, client, options, labels("localstack"), log, started);
    const agent = await startAgent(tc, agentImage, { timeScale, logs, labels: labels("agent") }, log);
    started.push(agent.container);
    log(
      `run ${runId}: agent container ${agent.container.getId().slice(0, 12)} (${agentImage}) at ${agent.endpoint}; ` +
        `CloudWatch Logs: ${logs.summary}`,
    );
    return await prepare({ runId, timeScale, agent, logs, agentImage, stopAll, log });
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The agent image by tag; built from docker/agent/Dockerfile (on host networking) when it does not exist. */
async function ensureAgentImage(
  tc: Testcontainers,
  client: RuntimeClient,
  options: ContainerTargetOptions,
  log: (line: string) => void,
): Promise<string> {
  const image = tc.ImageName.fromString(options.agentImage);
  if (await client.image.exists(image)) return options.agentImage;
  const base =
    options.agentBase ??
    ((await client.image.exists(tc.ImageName.fromString(LOCAL_BASE_IMAGE)))
      ? LOCAL_BASE_IMAGE
      : DEFAULT_BASE_IMAGE);
  log(
    `no ${options.agentImage} image: building it from docker/agent/Dockerfile on ${base} ` +
      "(a few minutes, once; docker/build-agent-image.sh does the same with its output shown)",
  );
  // testcontainers' fromDockerfile() cannot build on host networking, which a Docker engine without a bridge
  // network needs; its runtime client can.
  await client.image.build(PACKAGE_ROOT, {
    t: options.agentImage,
    dockerfile: "docker/agent/Dockerfile",
    buildargs: { BASE: base, EXTRA_CA_CERTS: extraCaCertificates() },
    networkmode: "host",
    labels: { "ssm-conformance.base": base },
  });
  if (!(await client.image.exists(image))) {
    throw new ContainerTargetError(
      `building ${options.agentImage} on ${base} failed; run docker/build-agent-image.sh to see why` +
        (base === DEFAULT_BASE_IMAGE
          ? ` (without a registry, build the base first: docker/build-base-image.sh)`
          : ""),
    );
  }
  return options.agentImage;
}

/** LocalStack when it can be had; otherwise (auto) the agent container's own provider, said in one line. */
async function startLogsBackend(
  tc: Testcontainers,
  client: RuntimeClient,
  options: ContainerTargetOptions,
  labels: Record<string, string>,
  log: (line: string) => void,
  started: StartedTestContainer[],
): Promise<LogsBackend> {
  const own = "the agent container's own CloudWatch Logs provider (ssm-conformance emulator)";
  if (options.logs === "agent") {
    return {
      description: `${own}, as SSM_CONFORMANCE_CONTAINER_LOGS=agent asks`,
      summary: "the agent container's own",
    };
  }
  const image = tc.ImageName.fromString(options.localstackImage);
  let problem: string | undefined;
  if (!(await client.image.exists(image))) {
    try {
      await withTimeout(
        client.image.pull(image, { force: false, platform: undefined }),
        options.pullTimeoutMs,
        `pulling it took over ${options.pullTimeoutMs / 1000} s`,
      );
      if (!(await client.image.exists(image))) problem = "the pull ended without the image";
    } catch (error) {
      problem = `cannot pull it: ${firstLine(error)}`;
    }
    if (problem && !options.localstackAuthToken && !isCommunityTag(options.localstackImage)) {
      problem += "; tags after 4.14.0 need LOCALSTACK_AUTH_TOKEN";
    }
  }
  if (!problem) {
    try {
      const localstack = await startLocalStack(options, labels);
      started.push(localstack.container);
      return {
        endpoint: localstack.endpoint,
        description: `LocalStack (${options.localstackImage}) at ${localstack.endpoint}`,
        summary: `LocalStack at ${localstack.endpoint}`,
        container: localstack.container,
      };
    } catch (error) {
      problem = `it did not start: ${firstLine(error)}`;
    }
  }
  const reason = `LocalStack (${options.localstackImage}) is not available: ${problem}`;
  if (options.logs === "localstack") {
    throw new ContainerTargetError(`${reason} (SSM_CONFORMANCE_CONTAINER_LOGS=localstack)`);
  }
  log(`${reason}; CloudWatch Logs is served by ${own} instead`);
  return { description: `${own}; ${reason}`, summary: "the agent container's own (no LocalStack)" };
}

async function startLocalStack(
  options: ContainerTargetOptions,
  labels: Record<string, string>,
): Promise<{ container: StartedTestContainer; endpoint: string }> {
  const { LocalstackContainer } = await import("@testcontainers/localstack");
  /** LocalStack on host networking: nothing is published; it listens on 127.0.0.1:<port> itself. */
  class HostNetworkLocalstack extends LocalstackContainer {
    constructor(image: string, port: number) {
      super(image);
      this.exposedPorts = [];
      delete this.createOpts.ExposedPorts;
      this.hostConfig.PortBindings = {};
      this.withNetworkMode("host").withEnvironment({
        GATEWAY_LISTEN: `127.0.0.1:${port}`,
        LOCALSTACK_HOST: `127.0.0.1:${port}`,
      });
    }
  }
  const port = await freePort();
  const tail = new OutputTail();
  const container = await new HostNetworkLocalstack(options.localstackImage, port)
    .withEnvironment({
      SERVICES: "logs,ssm,kms,sts",
      EAGER_SERVICE_LOADING: "1",
      ...(options.localstackAuthToken && { LOCALSTACK_AUTH_TOKEN: options.localstackAuthToken }),
    })
    .withLabels(labels)
    .withLogConsumer((stream) => tail.follow(stream))
    .withStartupTimeout(120_000)
    .start()
    .catch((error: unknown) => {
      throw new Error(`${firstLine(error)}${tail.suffix()}`);
    });
  return { container, endpoint: `http://127.0.0.1:${port}` };
}

interface StartedAgent {
  container: StartedTestContainer;
  endpoint: string;
}

/** The agent container on a free port of the host's loopback; ready when it prints its banner. */
async function startAgent(
  tc: Testcontainers,
  image: string,
  settings: { timeScale: number; logs: LogsBackend; labels: Record<string, string> },
  log: (line: string) => void,
): Promise<StartedAgent> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const tail = new OutputTail();
    try {
      const container = await new tc.GenericContainer(image)
        .withNetworkMode("host")
        .withEnvironment({
          SSM_CONFORMANCE_PORT: String(port),
          SSM_CONFORMANCE_TIME_SCALE: String(settings.timeScale),
          SSM_CONFORMANCE_SHELL_USER: DEFAULT_SHELL_USER,
          SSM_CONFORMANCE_REGION: REGION,
          ...(settings.logs.endpoint && { SSM_CONFORMANCE_LOGS_ENDPOINT: settings.logs.endpoint }),
        })
        .withLabels(settings.labels)
        .withLogConsumer((stream) => tail.follow(stream))
        // The banner: the endpoint is up and the agents are started (the image's HEALTHCHECK says the same,
        // for docker compose, but polls every few seconds); prepare() then waits for the node to be Online.
        .withWaitStrategy(tc.Wait.forLogMessage(/^Session Manager emulator ready$/m))
        .withStartupTimeout(90_000)
        .start();
      return { container, endpoint: `http://127.0.0.1:${port}` };
    } catch (error) {
      // Another process took the port between the pick and the bind: pick another.
      if (attempt < 3 && /already in use/.test(tail.text())) {
        log(`port ${port} was taken before the agent bound it; trying another`);
        continue;
      }
      throw new ContainerTargetError(
        `the agent container did not become healthy: ${firstLine(error)}${tail.suffix()}`,
      );
    }
  }
}

interface PrepareInput {
  runId: string;
  timeScale: number;
  agent: StartedAgent;
  logs: LogsBackend;
  agentImage: string;
  stopAll: () => Promise<void>;
  log: (line: string) => void;
}

/** As the embedded target: seed the account (log groups, compliant preferences), preflight, describe. */
async function prepare({
  runId,
  timeScale,
  agent,
  logs,
  agentImage,
  stopAll,
  log,
}: PrepareInput): Promise<Target> {
  const clients = createClients({
    region: REGION,
    endpoint: agent.endpoint,
    credentials: TEST_CREDENTIALS,
    ...(logs.endpoint && { logsEndpoint: logs.endpoint }),
  });
  try {
    const key = await clients.kms.send(new DescribeKeyCommand({ KeyId: "alias/ssm-conformance" }));
    const keyArn = key.KeyMetadata?.Arn;
    if (!keyArn) throw new ContainerTargetError("the agent container has no KMS key alias/ssm-conformance");
    const fixtures = await createLogGroupFixtures(clients.logs, keyArn);
    await createCompliantPreferences(clients.ssm, fixtures.encrypted);
    const caller = await readCaller(clients.sts);
    const documents = new TemporaryDocuments(clients.ssm, runId);
    const recorder = new SessionRecorder(clients.ssm);
    const nodeId = DEFAULT_NODE_IDS[0]!;
    await waitUntilOnline(clients, nodeId, 30_000);
    const preflight = await runPreflight({
      clients,
      region: REGION,
      accountId: caller.accountId,
      callerArn: caller.arn,
      node: { instances: [nodeId], instanceTags: [], region: REGION },
      logGroups: [fixtures.plain, fixtures.encrypted],
      kmsKeyId: keyArn,
      documents,
    });
    const runAsCheck = await agent.container.exec(["id", "-u", RUN_AS_USER]);
    const builtFrom = (await agent.container.exec(["cat", "/opt/ssm-conformance/SOURCE_HASH"])).output.trim();
    const stale = builtFrom !== checkoutSourceHash();
    if (stale) {
      log(
        `${agentImage} was built from other sources than this checkout (emulator/, protocol/, docker/agent/, ` +
          "package files); the run uses it as it is: rebuild it with docker/build-agent-image.sh",
      );
    }
    const capabilities: TargetCapabilities = {
      runAs:
        runAsCheck.exitCode === 0
          ? { available: true, user: RUN_AS_USER }
          : {
              available: false,
              reason: `the agent image ${agentImage} has no user ${RUN_AS_USER}; rebuild it`,
            },
      kmsKey: { ...preflight.capabilities.kms, keyId: keyArn },
    };
    return assembleTarget(
      {
        description: {
          kind: "container",
          region: REGION,
          endpoint: agent.endpoint,
          logsBackend: logs.description,
          nodeIds: [nodeId],
          agentVersion:
            `ssm-conformance agent emulating ${EMULATED_AGENT_VERSION}, in ${agentImage}` +
            (stale ? " (built from other sources than this checkout)" : ""),
          timeScale,
          accountId: caller.accountId,
          callerArn: caller.arn,
          runId,
        },
        clients,
        nodeId,
        capabilities,
        logGroups: preflight.logGroups,
        preflight,
      },
      { recorder, documents, timeScale, afterCleanUp: stopAll },
    );
  } catch (error) {
    destroyClients(clients);
    throw error;
  }
}

/** Until the node's agent has its control channel open (PingStatus Online). */
async function waitUntilOnline(clients: TargetClients, nodeId: string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const out = await clients.ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [nodeId] }] }),
    );
    const status = out.InstanceInformationList?.[0]?.PingStatus;
    if (status === "Online") return;
    if (Date.now() > deadline) {
      throw new ContainerTargetError(
        `node ${nodeId} in the agent container is ${status ?? "not registered"}, not Online`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The hash of the sources the agent image is built from, for this checkout (docker/agent/source-hash.js). */
function checkoutSourceHash(): string {
  try {
    return execFileSync(process.execPath, [path.join(PACKAGE_ROOT, "docker/agent/source-hash.js")], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    return "unknown";
  }
}

/** A port free on 127.0.0.1 now; the container binds it a moment later (startAgent retries a lost race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The last lines a container printed, for the error when it does not start. */
export class OutputTail {
  private lines: string[] = [];

  follow(stream: Readable): void {
    stream.setEncoding("utf8");
    let partial = "";
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts.filter((line) => line.trim() !== ""));
      if (this.lines.length > 40) this.lines = this.lines.slice(-40);
    });
    stream.on("error", () => undefined);
  }

  text(): string {
    return this.lines.join("\n");
  }

  /** ` (last output: ...)` with the last few lines on one line, or nothing. */
  suffix(): string {
    const last = this.lines.slice(-5).map((line) => line.trim());
    return last.length > 0 ? ` (last output: ${last.join(" | ")})` : "";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** 4.14.0 and earlier 4.x/3.x tags are community images that need no token. */
function isCommunityTag(image: string): boolean {
  const tag = /:(\d+)\.(\d+)(?:\.(\d+))?$/.exec(image);
  if (!tag) return false;
  const [major, minor, patch] = [Number(tag[1]), Number(tag[2]), Number(tag[3] ?? 0)];
  return major < 4 || (major === 4 && (minor < 14 || (minor === 14 && patch === 0)));
}

/** CAs this machine trusts beyond Debian's set, for npm in the build stage (docker/build-agent-image.sh). */
function extraCaCertificates(): string {
  const file = process.env["EXTRA_CA_CERTS_FILE"];
  try {
    if (file) return readFileSync(file, "utf8");
    const dir = "/usr/local/share/ca-certificates";
    return readdirSync(dir)
      .filter((name) => name.endsWith(".crt"))
      .map((name) => readFileSync(path.join(dir, name), "utf8"))
      .join("\n");
  } catch {
    return "";
  }
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}
