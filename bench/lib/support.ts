/**
 * Helpers shared by the benchmarks (not a benchmark itself: bench/run.ts skips this file): HdrHistogram
 * percentiles, CPU and memory readings, a stack started in a child process, and SDK clients for a stack.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { SSMClient } from "@aws-sdk/client-ssm";
import * as hdr from "hdr-histogram-js";

/** p50/p90/p99/max of millisecond values through HdrHistogram (3 significant digits). */
export function latencyPercentiles(values: readonly number[]): {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  if (values.length === 0)
    return { count: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  });
  let max = 0;
  for (const v of values) {
    const whole = Math.max(0, Math.round(v));
    histogram.recordValue(whole);
    max = Math.max(max, whole);
  }
  const at = (p: number) => Math.min(histogram.getValueAtPercentile(p), max);
  const out = { count: histogram.totalCount, p50: at(50), p90: at(90), p99: at(99), max };
  histogram.destroy();
  return out;
}

/** CPU seconds (user + system) of this process since `since` (a process.cpuUsage() reading). */
export function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / clockTicks();
}

/** Resident set size of a process in bytes (VmRSS, Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** Peak resident set size of a process in bytes (VmHWM, Linux). */
export function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A stack running in its own process (`emulator/cli.ts`), so its CPU and memory are measured apart. */
export interface ChildStack {
  endpoint: string;
  region: string;
  nodeIds: string[];
  pid: number;
  child: ChildProcess;
  /** The last ~10 kB the stack wrote to stderr (its log). */
  stderr(): string;
  /** SIGINT, then waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

export interface ChildStackOptions {
  pacing?: "faithful" | "unpaced";
  nodes?: string[];
  /** Extra node options, e.g. ["--cpu-prof", "--cpu-prof-dir=reports/bench/prof"]. */
  execArgv?: string[];
  logLevel?: "debug" | "info" | "warn" | "error";
  /** The built-in agents on a worker thread of their own (`--agent-thread`). */
  agentThread?: boolean;
}

export async function startChildStack(options: ChildStackOptions = {}): Promise<ChildStack> {
  const root = path.resolve(__dirname, "../..");
  const args = [
    ...(options.execArgv ?? []),
    "--require",
    "ts-node/register/transpile-only",
    path.join(root, "emulator/cli.ts"),
    "--port",
    "0",
    "--log-level",
    options.logLevel ?? "error",
    "--pacing",
    options.pacing ?? "faithful",
    ...(options.nodes ?? []).flatMap((n) => ["--node", n]),
    ...(options.agentThread ? ["--agent-thread"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<{ endpoint: string; region: string; nodeIds: string[] }>(
    (resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`stack did not start within 90 s: ${stderr} ${stdout}`)),
        90_000,
      );
      child.stdout!.on("data", (d: Buffer) => {
        stdout += d.toString();
        const endpoint = /^endpoint: (\S+)$/m.exec(stdout)?.[1];
        const region = /^region: (\S+)$/m.exec(stdout)?.[1];
        const nodes = /^nodes: (.+) \(built-in agents\)$/m.exec(stdout)?.[1];
        if (endpoint && region && nodes && /Ctrl-C stops/.test(stdout)) {
          clearTimeout(timer);
          resolve({ endpoint, region, nodeIds: nodes.split(" ") });
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`stack exited with ${code}: ${stderr}`));
      });
    },
  );
  return {
    ...ready,
    pid: child.pid!,
    child,
    stderr: () => stderr,
    async stop(timeoutMs = 25_000) {
      if (child.exitCode !== null) return;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** SDK clients for a stack endpoint, with more sockets than the default 50 for many sessions. */
export function clientsFor(endpoint: string, region: string) {
  const config = { endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 3 };
  return { ssm: new SSMClient(config), logs: new CloudWatchLogsClient(config) };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
