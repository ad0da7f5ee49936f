/** One run of the spec through cucumber's programmatic API: the target's profile plus the flags. */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type IConfiguration, loadConfiguration, runCucumber } from "@cucumber/cucumber/api";
import type { TargetKind } from "../config/settings";
import type { RunOptions } from "./args";
import type { Tally } from "./tally";

/** The package root: cucumber.js, features/ and the support code are found from here, whatever the cwd. */
export const PACKAGE_ROOT = path.resolve(__dirname, "../..");

const PROFILE: Record<TargetKind, string> = { embedded: "default", container: "container", aws: "aws" };

export interface RunResult {
  success: boolean;
  /** Absolute paths of the report files that exist after the run. */
  reports: string[];
}

/** Runs the spec, feeding every message to the tally. Throws when the run cannot start. */
export async function runSpec(options: RunOptions, tally: Tally): Promise<RunResult> {
  const reportDir = path.resolve(options.reportDir);
  const environment = { cwd: PACKAGE_ROOT };
  const { runConfiguration } = await loadConfiguration(
    { profiles: [PROFILE[options.target]], provided: provided(options) },
    environment,
  );
  const { runtime, formats } = runConfiguration;
  runtime.worldParameters = { ...runtime.worldParameters, ...worldParameters(options, reportDir) };
  formats.stdout = process.stdout.isTTY ? "progress-bar" : "progress";
  formats.files = Object.fromEntries(
    Object.entries(formats.files).map(([file, format]) => [
      path.join(reportDir, path.basename(file)),
      format,
    ]),
  );
  mkdirSync(reportDir, { recursive: true });
  const { success } = await runCucumber(runConfiguration, environment, tally.onMessage);
  return { success, reports: Object.keys(formats.files).filter((file) => existsSync(file)) };
}

function provided(options: RunOptions): Partial<IConfiguration> {
  return {
    ...(options.tags !== undefined && { tags: options.tags }),
    ...(options.name !== undefined && { name: [options.name] }),
    // --parallel 1 runs in this process (cucumber's 0); more forks that many workers.
    parallel: options.parallel > 1 ? options.parallel : 0,
    failFast: options.failFast,
    dryRun: options.dryRun,
  };
}

/** The world parameters support/config validates; only what the flags set, so profile values stand. */
function worldParameters(options: RunOptions, reportDir: string): Record<string, string | number | string[]> {
  const { target, region, profile, instances, instanceTags, policyPath, timeScale } = options;
  return {
    target,
    reportDir,
    ...(region !== undefined && { region }),
    ...(profile !== undefined && { profile }),
    ...(instances.length > 0 && { instances }),
    ...(instanceTags.length > 0 && { instanceTags }),
    ...(policyPath !== undefined && { policyPath }),
    ...(timeScale !== undefined && { timeScale }),
  };
}
