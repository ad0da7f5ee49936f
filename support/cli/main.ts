/** The ssm-conformance command: parse, dispatch, run the spec, summarise, exit with a status. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseCommand, type RunOptions, UsageError } from "./args";
import { HELP } from "./help";
import { redact } from "./redact";
import { PACKAGE_ROOT, type RunResult, runSpec } from "./run";
import { formatSummary } from "./summary";
import { Tally } from "./tally";

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
      return run(command.options);
  }
}

async function run(options: RunOptions): Promise<number> {
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
  process.stdout.write(
    formatSummary({
      target: options.target,
      counts: tally.counts,
      wallMs: performance.now() - started,
      reports: result.reports,
      dryRun: options.dryRun,
      interrupted: interrupted(),
      scenarios: tally.scenarios,
    }),
  );
  if (interrupted()) return EXIT.interrupted;
  return result.success && tally.counts.failed === 0 ? EXIT.passed : EXIT.failed;
}

/**
 * The first Ctrl-C leaves the process alive so the harness's own SIGINT handler (support/cucumber, once
 * the target has started) and cucumber's AfterAll hooks can clean up; the run then ends with 130. A
 * second Ctrl-C exits at once.
 */
function trapInterrupts(): () => boolean {
  let count = 0;
  process.on("SIGINT", () => {
    count += 1;
    if (count > 1) process.exit(EXIT.interrupted);
    // When the harness's handler is installed it says what it is doing; otherwise say it here.
    if (process.listenerCount("SIGINT") === 1) {
      process.stderr.write("\nInterrupted: finishing the run (press Ctrl-C again to exit at once)\n");
    }
  });
  return () => count > 0;
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
