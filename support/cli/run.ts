/** One run of the spec through cucumber's programmatic API: the target's profile plus the flags. */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import {
  type IConfiguration,
  type IRunConfiguration,
  type IRunEnvironment,
  type ISupportCodeLibrary,
  loadConfiguration,
  loadSupport,
  runCucumber,
} from "@cucumber/cucumber/api";
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
  /** The message stream cucumber wrote, the source of the conformance and latency reports. */
  messages?: string;
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
  const support = await loadSupportOnce(runConfiguration, environment);
  const { success } = await runCucumber({ ...runConfiguration, support }, environment, tally.onMessage);
  const reports = Object.keys(formats.files).filter((file) => existsSync(file));
  return { success, reports, messages: reports.find((file) => formats.files[file] === "message") };
}

/**
 * The step definitions and hooks, loaded once per process: node caches required modules, so a second
 * load would register nothing. The aws target plans with a dry run and may run once per node and region.
 */
let supportLibrary: Promise<ISupportCodeLibrary> | undefined;

function loadSupportOnce(configuration: IRunConfiguration, environment: IRunEnvironment) {
  supportLibrary ??= loadSupport(configuration, environment);
  return supportLibrary;
}

/** A selected scenario as the plan sees it: name, tags and step texts (background steps included). */
export interface PlannedPickle {
  name: string;
  uri: string;
  tags: string[];
  steps: string[];
}

/** The scenarios a run with these options would execute (tags, name, shard applied), by a dry run. */
export async function planSpec(options: RunOptions): Promise<PlannedPickle[]> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const environment = { cwd: PACKAGE_ROOT, stdout: sink, stderr: sink };
  const { runConfiguration } = await loadConfiguration(
    { profiles: [PROFILE[options.target]], provided: provided(options) },
    environment,
  );
  const support = await loadSupportOnce(runConfiguration, environment);
  const pickles = new Map<string, PlannedPickle>();
  const selected: string[] = [];
  await runCucumber(
    {
      ...runConfiguration,
      support,
      runtime: { ...runConfiguration.runtime, dryRun: true, parallel: 0 },
      formats: { ...runConfiguration.formats, stdout: "summary", files: {} },
    },
    environment,
    ({ pickle, testCase }) => {
      if (pickle) {
        pickles.set(pickle.id, {
          name: pickle.name,
          uri: pickle.uri,
          tags: pickle.tags.map((t) => t.name),
          steps: pickle.steps.map((step) => step.text),
        });
      }
      if (testCase) selected.push(testCase.pickleId);
    },
  );
  return selected.flatMap((id) => pickles.get(id) ?? []);
}

function provided(options: RunOptions): Partial<IConfiguration> {
  return {
    ...(options.tags !== undefined && { tags: options.tags }),
    ...(options.name !== undefined && { name: [options.name] }),
    ...(options.shard !== undefined && { shard: options.shard }),
    // --parallel 1 runs in this process (cucumber's 0); more forks that many workers.
    parallel: options.parallel > 1 ? options.parallel : 0,
    failFast: options.failFast,
    dryRun: options.dryRun,
  };
}

/** The world parameters support/config validates; only what the flags set, so profile values stand. */
function worldParameters(
  options: RunOptions,
  reportDir: string,
): Record<string, string | number | boolean | string[]> {
  const { target, regions, profile, instances, instanceTags, logGroups, needs, policyPath, timeScale } =
    options;
  return {
    target,
    reportDir,
    // One region per run: the aws target runs once per region (support/cli/awsRun.ts).
    ...(regions[0] !== undefined && { region: regions[0] }),
    ...(logGroups.length > 0 && { logGroups }),
    ...(needs !== undefined && { needs }),
    ...(profile !== undefined && { profile }),
    ...(instances.length > 0 && { instances }),
    ...(instanceTags.length > 0 && { instanceTags }),
    ...(policyPath !== undefined && { policyPath }),
    ...(timeScale !== undefined && { timeScale }),
    ...(options.fault !== undefined && { fault: options.fault }),
    ...(options.tls && { tls: true }),
    ...(options.agent !== undefined && { agent: options.agent }),
  };
}
