/** The ssm-conformance command: parse, dispatch, run the spec, summarise, exit with a status. */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BuildOptions, BuildResult } from "../report/build";
import { redact } from "../report/redact";
import { parseCommand, type ReportOptions, type RunOptions, UsageError } from "./args";
import { runOnAws } from "./awsRun";
import { cleanup } from "./cleanup";
import { HELP } from "./help";
import { PACKAGE_ROOT, type RunResult, runSpec } from "./run";
import { formatReportSummary, formatSummary } from "./summary";
import { type Counts, Tally } from "./tally";

export const EXIT = { passed: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    throw error;
  }
  switch (command.kind) {
    case "help":
      process.stdout.write(HELP);
      return EXIT.passed;
    case "version":
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.passed;
    case "unavailable":
      return fail(`${command.name}: not available yet`);
    case "run":
      return command.options.target === "aws" ? runAws(command.options) : run(command.options);
    case "cleanup":
      return cleanup(command.options, undefined, fail);
    case "report":
      return report(command.options);
  }
}

/** aws: plan and estimate, then one run per node and region (support/cli/awsRun.ts). */
async function runAws(options: RunOptions): Promise<number> {
  trapInterrupts();
  try {
    return await runOnAws(options, async (cell) => {
      let counts: Counts | undefined;
      const status = await run(cell, (c) => {
        counts = c;
      });
      return { status, counts };
    });
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    throw error;
  }
}

async function run(options: RunOptions, onCounts?: (counts: Counts) => void): Promise<number> {
  const interrupted = trapInterrupts();
  const tally = new Tally();
  const started = performance.now();
  let result: RunResult;
  try {
    result = await runSpec(options, tally);
  } catch (error) {
    if (interrupted()) return EXIT.interrupted;
    return fail(`cannot run against ${options.target}: ${tally.setupFailure ?? innermostMessage(error)}`);
  }
  // With --parallel, a worker whose BeforeAll failed just exits; the run "finishes" with nothing run.
  if (tally.setupFailure && !interrupted()) {
    return fail(`cannot run against ${options.target}: ${tally.setupFailure}`);
  }
  const built =
    result.messages && !options.dryRun
      ? await buildReports({
          streams: [result.messages],
          reportDir: options.reportDir,
          historyFile: historyFile(options),
          appendHistory: !interrupted(),
        }).catch((error: Error) => {
          process.stderr.write(`ssm-conformance: the reports could not be built: ${redact(error.message)}\n`);
          return undefined;
        })
      : undefined;
  onCounts?.(tally.counts);
  process.stdout.write(
    formatSummary({
      target: options.target,
      counts: tally.counts,
      wallMs: performance.now() - started,
      reports: [...result.reports, ...(built?.files ?? [])],
      notes: built?.notes,
      dryRun: options.dryRun,
      interrupted: interrupted(),
      scenarios: tally.scenarios,
    }),
  );
  if (interrupted()) return EXIT.interrupted;
  return result.success && tally.counts.failed === 0 ? EXIT.passed : EXIT.failed;
}

/** Rebuilds the reports from saved message streams; the exit status follows the verdict, as for run. */
async function report(options: ReportOptions): Promise<number> {
  let built: BuildResult;
  try {
    built = await buildReports({
      streams: options.streams,
      reportDir: options.reportDir,
      historyFile: historyFile(options),
      appendHistory: true,
    });
  } catch (error) {
    return fail(`cannot build the reports: ${(error as Error).message.split("\n")[0]}`);
  }
  process.stdout.write(formatReportSummary(options.streams.length, built));
  return built.verdict === "fail" || built.verdict === "error" ? EXIT.failed : EXIT.passed;
}

/** The report builder, loaded only when reports are built (it brings vega along). */
async function buildReports(options: BuildOptions): Promise<BuildResult> {
  const { buildReports: build } = await import("../report/build");
  return build(options);
}

/** --history, or history.jsonl in the report directory. */
function historyFile(options: { reportDir: string; history?: string }): string {
  return path.resolve(options.history ?? path.join(options.reportDir, "history.jsonl"));
}

/**
 * The first Ctrl-C leaves the process alive so the harness's own SIGINT handler (support/cucumber, once
 * the target has started) and cucumber's AfterAll hooks can clean up; the run then ends with 130. A
 * second Ctrl-C exits at once.
 */
let interrupts = 0;
let trapped = false;

function trapInterrupts(): () => boolean {
  // Once per process: the aws target may run the spec several times (one run per node and region).
  if (!trapped) {
    trapped = true;
    process.on("SIGINT", () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT.interrupted);
      // When the harness's handler is installed it says what it is doing; otherwise say it here.
      if (process.listenerCount("SIGINT") === 1) {
        process.stderr.write("\nInterrupted: finishing the run (press Ctrl-C again to exit at once)\n");
      }
    });
  }
  return () => interrupts > 0;
}

/** One line on stderr, credentials masked; exit status 2. */
function fail(message: string): number {
  process.stderr.write(`ssm-conformance: ${redact(message)}\n`);
  return EXIT.usage;
}

/** The root cause's first line: cucumber wraps hook errors ("a BeforeAll hook errored ...", cause). */
function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : String(current);
  return message.split("\n")[0]!;
}

function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).version;
}
