/**
 * `--target container --agent amazon`: the spec against the official amazon-ssm-agent, unmodified. The
 * service side is the emulator's stack, started here in-process over TLS with one external node; a
 * container (docker/amazon-agent, host networking) runs only the real agent, configured by
 * emulator/externalAgent/amazonAgentConfig.ts to connect to it. The names of the AWS services resolve to
 * 127.0.0.1 in the container (--add-host) and a forwarder there owns 127.0.0.1:443, so the calls the agent
 * has no endpoint setting for (CloudWatch Logs) reach the stack too. No packet leaves the machine.
 *
 * Where the real agent cannot be had (no Docker engine, no image and no package to build it from), the
 * target says so in one line and every scenario is skipped with that reason (TargetUnavailableError).
 *
 * Environment:
 *   SSM_CONFORMANCE_AMAZON_AGENT_IMAGE  the image (default ssm-conformance/amazon-agent:latest; built from
 *                                       docker/amazon-agent/Dockerfile when missing)
 *   SSM_CONFORMANCE_AMAZON_AGENT_DEB    a local amazon-ssm-agent .deb for that build
 *   SSM_CONFORMANCE_AMAZON_AGENT_URL    otherwise, where the build downloads the package (default: the
 *                                       official latest package, s3.amazonaws.com/ec2-downloads-windows)
 *   SSM_CONFORMANCE_AGENT_BASE          BASE of the build (default ssm-conformance/debian-base:trixie)
 */
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { StartedTestContainer } from "testcontainers";
import {
  amazonAgentConfig,
  amazonAgentEnv,
  amazonAgentHostNames,
} from "../../emulator/externalAgent/amazonAgentConfig";
import { type StartedStack, startStack } from "../../emulator/stack";
import { newRunId } from "../documents/sessionDocument";
import { ContainerTargetError, firstLine, LOCAL_BASE_IMAGE, OutputTail } from "./container";
import { ROLE_LABEL, RUN_ID_LABEL } from "./containerReaper";
import { connectToEngine, type RuntimeClient, type Testcontainers, trackRunContainers } from "./containerRun";
import { DEFAULT_LOCAL_TIME_SCALE, prepareStackTarget } from "./embedded";
import { type Target, type TargetDescription, TargetUnavailableError } from "./target";

export const AMAZON_AGENT_IMAGE = "ssm-conformance/amazon-agent:latest";
/** The node the real agent connects as (a CustomIdentity; the id of the recorded vectors). */
export const AMAZON_AGENT_NODE = "mi-0fa4e1c0ffee12345";
const REGION = "us-east-1";
/** Where the container's entrypoint writes the stack's CA; the agent reads it through SSL_CERT_FILE. */
const CA_FILE_IN_CONTAINER = "/etc/ssm-conformance/stack-ca.pem";
const CONTEXT_DIR = path.resolve(__dirname, "../../docker/amazon-agent");
const CONTEXT_FILES = ["Dockerfile", "entrypoint.sh", "seelog.xml"];
/** The name a local package gets in the build context (the Dockerfile's AGENT_DEB). */
const DEB_IN_CONTEXT = "amazon-ssm-agent.deb";
/** Agent start to first CreateControlChannel is ~1.3 s; a failed first try is retried after 5-15 s. */
const ONLINE_LIMIT_MS = 60_000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the legacy builder colours a step's stderr.
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

export interface AmazonAgentTargetOptions {
  timeScale?: number;
  fault?: string;
  image: string;
  base: string;
  /** A local package to build the image from. */
  deb?: string;
  /** Where the build downloads the package otherwise; undefined: the Dockerfile's default. */
  url?: string;
  log?: (line: string) => void;
}

export function amazonAgentOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AmazonAgentTargetOptions {
  return {
    image: env["SSM_CONFORMANCE_AMAZON_AGENT_IMAGE"] || AMAZON_AGENT_IMAGE,
    base: env["SSM_CONFORMANCE_AGENT_BASE"] || LOCAL_BASE_IMAGE,
    ...(env["SSM_CONFORMANCE_AMAZON_AGENT_DEB"] && { deb: env["SSM_CONFORMANCE_AMAZON_AGENT_DEB"] }),
    ...(env["SSM_CONFORMANCE_AMAZON_AGENT_URL"] && { url: env["SSM_CONFORMANCE_AMAZON_AGENT_URL"] }),
  };
}

export async function startAmazonAgentTarget(options: AmazonAgentTargetOptions): Promise<Target> {
  const log = options.log ?? ((line: string) => process.stderr.write(`container target: ${line}\n`));
  const timeScale = options.timeScale ?? DEFAULT_LOCAL_TIME_SCALE;
  if (options.fault !== undefined) {
    throw new ContainerTargetError(
      "fault profiles apply to the emulator's own agent: use them without --agent amazon",
    );
  }
  if (options.deb !== undefined) checkReadable(options.deb);
  const runId = newRunId();
  const unavailable = (why: string) =>
    new TargetUnavailableError(
      `container target: the official amazon-ssm-agent cannot run here: ${why}; every scenario is skipped`,
      unavailableDescription(why, options.image, timeScale, runId),
    );

  const { tc, client } = await connectToEngine((error) =>
    unavailable(`no Docker engine answers (${firstLine(error)})`),
  );
  const problem = await ensureImage(tc, client, options, log);
  if (problem) throw unavailable(problem);

  const stack = await startStack({
    tls: true,
    nodes: [],
    externalNodes: [AMAZON_AGENT_NODE],
    region: REGION,
    timeScale,
  });
  const containers = trackRunContainers(runId);
  try {
    const tail = new OutputTail();
    // tls: true always gives the CA.
    const container = await startAgentContainer(tc, options.image, stack, stack.tls!.caPem, { runId, tail });
    containers.started.push(container);
    log(
      `run ${runId}: amazon-ssm-agent container ${container.getId().slice(0, 12)} (${options.image}) for ${AMAZON_AGENT_NODE}, service at ${stack.endpoint}`,
    );
    const version = await waitUntilOnline(stack, tail);
    return await prepareStackTarget(stack, {
      kind: "container",
      runId,
      nodeId: AMAZON_AGENT_NODE,
      agentVersion: `amazon-ssm-agent ${version} (official package, in ${options.image})`,
      logsBackend: `ssm-conformance emulator (in-process), reached by the agent as logs.${REGION}.amazonaws.com through 127.0.0.1:443`,
      runAs: {
        available: false,
        reason: "the real agent in container mode runs shells as its own user and ignores Run As",
      },
      stopAgent: containers.stopAll,
    });
  } catch (error) {
    await containers.stopAll();
    await stack.stop();
    throw error;
  }
}

/**
 * The image by tag, or built from docker/amazon-agent on host networking. Returns why it cannot be had
 * (no base, no package, a failed build), or undefined.
 */
async function ensureImage(
  tc: Testcontainers,
  client: RuntimeClient,
  options: AmazonAgentTargetOptions,
  log: (line: string) => void,
): Promise<string | undefined> {
  if (await client.image.exists(tc.ImageName.fromString(options.image))) return undefined;
  if (!(await client.image.exists(tc.ImageName.fromString(options.base)))) {
    return `no ${options.image} image, and no base image ${options.base} to build it on (docker/build-base-image.sh)`;
  }
  const source = options.deb ?? options.url ?? "the official download";
  log(`no ${options.image} image: building it from docker/amazon-agent/Dockerfile with ${source}`);
  const context = mkdtempSync(path.join(tmpdir(), "ssm-conformance-amazon-agent-"));
  try {
    const files = options.deb === undefined ? CONTEXT_FILES : [...CONTEXT_FILES, DEB_IN_CONTEXT];
    for (const file of CONTEXT_FILES) copyFileSync(path.join(CONTEXT_DIR, file), path.join(context, file));
    if (options.deb !== undefined) copyFileSync(options.deb, path.join(context, DEB_IN_CONTEXT));
    const failure = await build(client, context, files, {
      t: options.image,
      buildargs: {
        BASE: options.base,
        AGENT_DEB: options.deb === undefined ? "" : DEB_IN_CONTEXT,
        AGENT_URL: options.url ?? "",
      },
      // An engine started with --bridge=none has no other network for the build.
      networkmode: "host",
      // A failed step leaves no container behind.
      forcerm: true,
      labels: { "ssm-conformance.base": options.base },
    });
    if (failure) return `building ${options.image} failed: ${failure}`;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return (await client.image.exists(tc.ImageName.fromString(options.image)))
    ? undefined
    : `building ${options.image} ended without the image`;
}

/** Runs a build; returns its error (the Dockerfile's own message when it printed one), or undefined. */
async function build(
  client: RuntimeClient,
  context: string,
  files: string[],
  options: {
    t: string;
    buildargs: Record<string, string>;
    networkmode: string;
    forcerm: boolean;
    labels: Record<string, string>;
  },
): Promise<string | undefined> {
  const { dockerode } = client.container;
  const stream = await dockerode.buildImage({ context, src: files }, options);
  const output = await new Promise<{ stream?: string; error?: string }[]>((resolve, reject) =>
    dockerode.modem.followProgress(
      stream,
      (error: Error | null, result: { stream?: string; error?: string }[]) =>
        error ? reject(error) : resolve(result),
    ),
  );
  const error = output.find((line) => line.error)?.error;
  if (!error) return undefined;
  // The failed step's last line (e.g. the Dockerfile's "cannot download ..."); builder lines left out.
  const said = output
    .flatMap((line) => (line.stream ?? "").replace(ANSI_COLOUR, "").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line && !/^(Step \d|--->|Removing intermediate|Successfully|The command )/.test(line))
    .at(-1);
  return (said ?? error).split("\n")[0]!.trim();
}

async function startAgentContainer(
  tc: Testcontainers,
  image: string,
  stack: StartedStack,
  caPem: string,
  { runId, tail }: { runId: string; tail: OutputTail },
): Promise<StartedTestContainer> {
  const config = amazonAgentConfig({
    endpoint: stack.endpoint,
    region: stack.region,
    nodeId: AMAZON_AGENT_NODE,
  });
  try {
    return await new tc.GenericContainer(image)
      .withNetworkMode("host")
      .withExtraHosts(amazonAgentHostNames(stack.region).map((host) => ({ host, ipAddress: "127.0.0.1" })))
      .withEnvironment({
        SSM_AGENT_CONFIG: JSON.stringify(config),
        SSM_CONFORMANCE_CA_PEM: caPem,
        SSM_CONFORMANCE_LOGS_PORT: String(stack.port),
        ...amazonAgentEnv({ credentials: stack.credentials, caFile: CA_FILE_IN_CONTAINER }),
      })
      .withLabels({ [RUN_ID_LABEL]: runId, [ROLE_LABEL]: "amazon-agent" })
      .withLogConsumer((stream) => tail.follow(stream))
      // The entrypoint's line once the forwarder listens, just before it runs the agent.
      .withWaitStrategy(tc.Wait.forLogMessage(/^amazon-agent: 127\.0\.0\.1:443 forwards to the stack/m))
      .withStartupTimeout(30_000)
      .start();
  } catch (error) {
    const said = /^amazon-agent: (.*)$/m.exec(tail.text())?.[1];
    throw new ContainerTargetError(
      `the amazon-ssm-agent container did not start: ${said ?? `${firstLine(error)}${tail.suffix()}`}`,
    );
  }
}

/** Until the agent has opened its control channel; returns the AgentVersion it announced. */
async function waitUntilOnline(stack: StartedStack, tail: OutputTail): Promise<string> {
  const deadline = Date.now() + ONLINE_LIMIT_MS;
  for (;;) {
    const node = stack.internals.nodes.get(AMAZON_AGENT_NODE);
    if (node?.pingStatus === "Online") return node.agentVersion || "(version not announced)";
    if (Date.now() > deadline) {
      throw new ContainerTargetError(
        `the amazon-ssm-agent did not open its control channel within ${ONLINE_LIMIT_MS / 1000} s${tail.suffix()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What the report says about a run whose agent could not be had. */
function unavailableDescription(
  why: string,
  image: string,
  timeScale: number,
  runId: string,
): TargetDescription {
  return {
    kind: "container",
    region: REGION,
    logsBackend: "none: the run did not start",
    nodeIds: [AMAZON_AGENT_NODE],
    agentVersion: `amazon-ssm-agent (${image}): not available: ${why}`,
    timeScale,
    accountId: "",
    callerArn: "",
    runId,
  };
}

function checkReadable(file: string): void {
  let problem: string | undefined;
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) problem = "not a file";
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code ?? firstLine(error);
  }
  if (problem)
    throw new ContainerTargetError(`SSM_CONFORMANCE_AMAZON_AGENT_DEB=${file}: cannot read it (${problem})`);
}
