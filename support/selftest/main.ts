/**
 * `npm run selftest`: proves the spec has teeth. It runs the spec against the clean emulator (every scenario
 * must pass) and against each fault profile of emulator/faults (the scenarios a profile declares must fail,
 * and say why), as child runs of the harness CLI, a few at a time, then prints the matrix and writes
 * reports/selftest.json and reports/selftest.md. Exit status: 0 no gaps, 1 gaps, 2 bad usage, 130 Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { controlsOf, FAULT_PROFILES, type FaultProfile, faultProfile } from "../../emulator/faults";
import { judgeSelftest, type ProfileRun, type RunOutcome, type SelftestVerdict } from "./matrix";
import { parseMessages } from "./messages";
import { renderMarkdown, renderTerminal, seconds } from "./render";

const PACKAGE_ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(PACKAGE_ROOT, "bin/ssm-conformance.js");
/** TypeScript with a transpile cache: a child then starts in about a second of CPU instead of seven. */
export const SELFTEST_SCHEMA_VERSION = 1;

const USAGE = `Usage: npm run selftest -- [options]

Runs the spec against the clean emulator and against every fault profile (emulator/faults/README.md),
prints which scenarios caught which profile, and writes <report-dir>/selftest.json and selftest.md.

Options:
  --profile <name>     only this profile (repeatable): a subset, the clean run limited to its scenarios
  --jobs <n>           runs at a time (default 3)
  --report-dir <dir>   where the results go (default reports); each run's own reports go to
                       <dir>/selftest/<profile>
  --timeout <s>        a run that takes longer is stopped and counted as an error (default 300)
  -h, --help           show this help
`;

export interface SelftestOptions {
  profiles: FaultProfile[];
  mode: "full" | "subset";
  jobs: number;
  reportDir: string;
  timeoutMs: number;
}

interface Job {
  /** "clean" or the profile's name: the sub-directory of its reports. */
  name: string;
  profile?: FaultProfile;
  /** Requirement ids to run; undefined: the whole spec. */
  reqs?: string[];
  /** Expected duration from the last self-test, to start the longest first. */
  estimateMs: number;
}

export function parseSelftestArgs(argv: string[]): SelftestOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      profile: { type: "string", multiple: true, default: [] },
      jobs: { type: "string", default: "3" },
      "report-dir": { type: "string", default: "reports" },
      timeout: { type: "string", default: "300" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const profiles = values.profile.map((name) => {
    const profile = faultProfile(name);
    if (!profile) {
      throw new Error(
        `unknown profile "${name}"; the profiles are ${FAULT_PROFILES.map((p) => p.name).join(", ")}`,
      );
    }
    return profile;
  });
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs must be a whole number >= 1, not "${values.jobs}"`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new Error(`--timeout must be a number of seconds > 0, not "${values.timeout}"`);
  return {
    profiles: profiles.length ? profiles : [...FAULT_PROFILES],
    mode: profiles.length ? "subset" : "full",
    jobs,
    reportDir: path.resolve(values["report-dir"]),
    timeoutMs: timeout * 1000,
  };
}

/** The scenarios a profile's run selects: its declared catchers and its controls. */
export function scenariosOf(profile: FaultProfile): string[] {
  return [...new Set([...profile.caughtBy, ...controlsOf(profile)])];
}

export function tagExpression(reqs: readonly string[]): string {
  return reqs.map((req) => `@req:${req}`).join(" or ");
}

function plan(options: SelftestOptions): Job[] {
  const previous = previousDurations(path.join(options.reportDir, "selftest.json"));
  const profileJobs: Job[] = options.profiles.map((profile) => ({
    name: profile.name,
    profile,
    reqs: scenariosOf(profile),
    estimateMs: previous.get(profile.name) ?? 0,
  }));
  const clean: Job = {
    name: "clean",
    ...(options.mode === "subset" && { reqs: [...new Set(profileJobs.flatMap((j) => j.reqs!))] }),
    // Unknown: it is the longest run of a full self-test, so it starts first.
    estimateMs: previous.get("clean") ?? Number.MAX_SAFE_INTEGER,
  };
  // Longest first, so the slowest run does not start last; ties keep the profiles' order.
  return [clean, ...profileJobs].sort((a, b) => b.estimateMs - a.estimateMs);
}

function previousDurations(file: string): Map<string, number> {
  const durations = new Map<string, number>();
  try {
    const last = JSON.parse(readFileSync(file, "utf8")) as {
      clean?: { durationMs?: number };
      profiles?: { name: string; durationMs?: number }[];
    };
    if (last.clean?.durationMs) durations.set("clean", last.clean.durationMs);
    for (const p of last.profiles ?? []) if (p.durationMs) durations.set(p.name, p.durationMs);
  } catch {
    // No previous self-test: the declared order.
  }
  return durations;
}

const running = new Set<ChildProcess>();

/** One child run of the harness CLI; its own reports (and output.log) go to <report-dir>/selftest/<name>. */
async function runJob(job: Job, options: SelftestOptions): Promise<RunOutcome> {
  const dir = path.join(options.reportDir, "selftest", job.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = [
    CLI,
    "--report-dir",
    dir,
    ...(job.profile ? ["--fault", job.profile.name] : []),
    ...(job.reqs ? ["--tags", tagExpression(job.reqs)] : []),
  ];
  const logFile = path.join(dir, "output.log");
  const log = createWriteStream(logFile);
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  }, options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on("error", () => resolve(null));
    child.on("close", (code) => resolve(code));
  });
  clearTimeout(timer);
  running.delete(child);
  await new Promise<void>((resolve) => log.end(resolve));
  const durationMs = performance.now() - started;
  const stream = path.join(dir, "messages.ndjson");
  const messages = existsSync(stream) ? parseMessages(readFileSync(stream, "utf8")) : undefined;
  const relative = path.relative(process.cwd(), logFile);
  const error = timedOut
    ? `stopped after ${seconds(options.timeoutMs)} (see ${relative})`
    : exitCode === null || exitCode > 1
      ? `the run exited with ${exitCode ?? "a signal"}: ${lastError(logFile)} (see ${relative})`
      : messages?.setupError
        ? `the target did not start: ${messages.setupError}`
        : !messages || messages.scenarios.length === 0
          ? `no scenario ran (see ${relative})`
          : undefined;
  return { exitCode, durationMs, ...(messages && { messages }), ...(error && { error }) };
}

/** The CLI's own one-line error, if it printed one. */
function lastError(logFile: string): string {
  const lines = readFileSync(logFile, "utf8").trim().split("\n");
  const own = lines.filter((l) => l.startsWith("ssm-conformance:")).at(-1);
  return (own ?? lines.at(-1) ?? "").slice(0, 300);
}

/** Runs every job, `jobs` at a time, printing a line as each starts and ends. */
async function runAll(jobs: Job[], options: SelftestOptions, write: (line: string) => void) {
  const outcomes = new Map<string, RunOutcome>();
  const queue = [...jobs];
  let done = 0;
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const what = job.reqs ? job.reqs.join(", ") : "the whole spec";
      write(`start  ${job.name.padEnd(22)} ${what}`);
      const outcome = await runJob(job, options);
      outcomes.set(job.name, outcome);
      done += 1;
      write(
        `done   ${job.name.padEnd(22)} ${describeOutcome(job, outcome)}  ${seconds(outcome.durationMs)}  [${done}/${jobs.length}]`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, jobs.length) }, worker));
  return outcomes;
}

function describeOutcome(job: Job, outcome: RunOutcome): string {
  if (outcome.error) return `ERROR: ${outcome.error}`;
  const results = outcome.messages!.scenarios;
  const failed = results.filter((r) => r.status === "failed").map((r) => r.req);
  if (!job.profile) {
    return failed.length ? `FAILED on the clean emulator: ${failed.join(", ")}` : `${results.length} passed`;
  }
  return failed.length ? `failed: ${failed.join(", ")}` : "NOTHING FAILED";
}

export async function runSelftest(
  options: SelftestOptions,
  write: (line: string) => void = (line) => process.stdout.write(`[selftest] ${line}\n`),
): Promise<{ verdict: SelftestVerdict; wallMs: number; text: string }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const jobs = plan(options);
  write(
    `${options.profiles.length} fault profile(s) and the clean emulator, ${options.jobs} at a time; runs in ${path.relative(process.cwd(), path.join(options.reportDir, "selftest")) || "."}`,
  );
  const outcomes = await runAll(jobs, options, write);
  const runs: ProfileRun[] = options.profiles.map((profile) => ({
    ...outcomes.get(profile.name)!,
    profile: {
      name: profile.name,
      summary: profile.summary,
      caughtBy: profile.caughtBy,
      controls: controlsOf(profile),
      cause: profile.cause,
    },
    label: profile.name,
  }));
  const verdict = judgeSelftest(outcomes.get("clean")!, runs, options.mode);
  const wallMs = performance.now() - started;
  const timing = { wallMs, jobs: options.jobs, startedAt };
  mkdirSync(options.reportDir, { recursive: true });
  writeFileSync(
    path.join(options.reportDir, "selftest.json"),
    `${JSON.stringify(toJson(verdict, options, timing), null, 2)}\n`,
  );
  writeFileSync(path.join(options.reportDir, "selftest.md"), renderMarkdown(verdict, timing));
  return { verdict, wallMs, text: renderTerminal(verdict, timing) };
}

function toJson(
  verdict: SelftestVerdict,
  options: SelftestOptions,
  timing: { wallMs: number; jobs: number; startedAt: string },
) {
  const { messages: _messages, ...clean } = verdict.clean;
  return {
    schemaVersion: SELFTEST_SCHEMA_VERSION,
    ok: verdict.ok,
    mode: verdict.mode,
    startedAt: timing.startedAt,
    wallMs: Math.round(timing.wallMs),
    jobs: timing.jobs,
    clean: { ...clean, durationMs: Math.round(clean.durationMs) },
    scenarios: verdict.scenarios,
    profiles: verdict.profiles.map((p) => {
      const profile = options.profiles.find((q) => q.name === p.name)!;
      return {
        ...p,
        durationMs: Math.round(p.durationMs),
        aws: profile.aws,
        params: profile.params ?? {},
        cause: profile.cause.map(String),
        reportDir: path.join(options.reportDir, "selftest", p.name),
      };
    }),
    gaps: verdict.gaps,
  };
}

async function main(argv: string[]): Promise<number> {
  let options: SelftestOptions | "help";
  try {
    options = parseSelftestArgs(argv);
  } catch (error) {
    process.stderr.write(`selftest: ${(error as Error).message.split("\n")[0]} (see --help)\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  process.on("SIGINT", () => {
    process.stderr.write("\nselftest: interrupted; stopping the runs\n");
    for (const child of running) child.kill("SIGTERM");
    process.exit(130);
  });
  const { verdict, text } = await runSelftest(options);
  process.stdout.write(`\n${text}`);
  process.stdout.write(
    `reports: ${path.relative(process.cwd(), path.join(options.reportDir, "selftest.json"))}, ${path.relative(process.cwd(), path.join(options.reportDir, "selftest.md"))}\n`,
  );
  return verdict.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `selftest: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
