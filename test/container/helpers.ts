/** Shared by the container suite (npm run test:container): the harness CLI as a child, and Docker queries. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { configureTestcontainers, RUN_ID_LABEL } from "../../support/targets/containerReaper";

export const PACKAGE_ROOT = path.resolve(__dirname, "../..");

configureTestcontainers();
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

/** Why the container suite cannot run here (no engine answers), or undefined when it can. */
export async function dockerUnavailable(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no Docker engine answers (${(error instanceof Error ? error.message : String(error)).split("\n")[0]})`;
  }
}

/** The ids of the containers (running or not) that carry the run's label. */
export async function containersOfRun(runId: string): Promise<string[]> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const found = await dockerode.listContainers({
    all: true,
    filters: { label: [`${RUN_ID_LABEL}=${runId}`] },
  });
  return found.map((c) => c.Id);
}

export async function imageExists(image: string): Promise<boolean> {
  const { getContainerRuntimeClient, ImageName } = await import("testcontainers");
  return (await getContainerRuntimeClient()).image.exists(ImageName.fromString(image));
}

/** Polls until the run has no container left; returns what is left at the deadline. */
export async function waitUntilGone(runId: string, limitMs: number): Promise<string[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const left = await containersOfRun(runId);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (128 + n for a signal). */
  exited: Promise<number>;
  /** Resolves with the run id once the container target has printed its start-up line. */
  runId: Promise<string>;
}

/** `node bin/ssm-conformance.js <args>` (not through npm, so a signal reaches the harness alone). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, "bin/ssm-conformance.js"), ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let resolveRunId: (id: string) => void = () => undefined;
  let rejectRunId: (error: Error) => void = () => undefined;
  const runId = new Promise<string>((resolve, reject) => {
    resolveRunId = resolve;
    rejectRunId = reject;
  });
  runId.catch(() => undefined);
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    const id = /container target: run (\S+?):/.exec(err)?.[1];
    if (id) resolveRunId(id);
  });
  const exited = new Promise<number>((resolve) => {
    child.on("exit", (code, signal) => {
      rejectRunId(new Error(`the harness exited before the target started:\n${err.slice(-2000)}`));
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 2));
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited, runId };
}

export interface RunMetadataTarget {
  kind: string;
  logsBackend: string;
  nodeIds: string[];
  agentVersion?: string;
  timeScale: number;
}

/** conformance.json of a run: the target it ran on and each requirement's verdict. */
export function readConformance(reportDir: string): {
  target: RunMetadataTarget;
  verdicts: Record<string, string>;
  counts: Record<string, number>;
} {
  const report = JSON.parse(readFileSync(path.join(reportDir, "conformance.json"), "utf8"));
  return {
    target: report.run.target,
    verdicts: Object.fromEntries(
      report.requirements.map((r: { id: string; verdict: string }) => [r.id, r.verdict]),
    ),
    counts: report.counts.requirements,
  };
}
