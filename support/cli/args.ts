/** Command-line parsing and validation. Every bad input becomes one UsageError line (exit 2). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { FaultSpecError, parseFaultSpec } from "../../emulator/faults";
import { loadPolicy, PolicyError } from "../config/policy";
import { AGENT_KINDS, type AgentKind, TARGET_KINDS, type TargetKind } from "../config/settings";

export class UsageError extends Error {}

export interface RunOptions {
  target: TargetKind;
  tags?: string;
  name?: string;
  /** aws: one run per region (and per instance), in order; empty: the SDK's region chain. */
  regions: string[];
  profile?: string;
  instances: string[];
  instanceTags: string[];
  /** aws: existing log groups for the behaviour scenarios (--log-group). */
  logGroups: string[];
  /** Cucumber's `index/total` shard. */
  shard?: string;
  /** Set by the aws planner, not a flag: the `@needs:` capabilities of the selected scenarios. */
  needs?: string[];
  /** Absolute path, checked readable and valid. */
  policyPath?: string;
  /** As given (for display); resolve against the caller's cwd before use. */
  reportDir: string;
  /** The run history to append to; undefined: history.jsonl in the report directory. */
  history?: string;
  parallel: number;
  timeScale?: number;
  /** embedded/container: a fault profile of the emulator (emulator/faults), for the self-test. */
  fault?: string;
  /** embedded: serve the stack over https/wss with its own CA (the real agent's transport). */
  tls: boolean;
  /** container: the agent in the container (ours, or the official amazon-ssm-agent). */
  agent?: AgentKind;
  dryRun: boolean;
  failFast: boolean;
}

/** `report`: rebuild the reports from saved message streams. */
export interface ReportOptions {
  /** messages.ndjson files, checked readable: one run, or the shards of one run. */
  streams: string[];
  reportDir: string;
  history?: string;
}

export type Command =
  | { kind: "run"; options: RunOptions }
  | { kind: "report"; options: ReportOptions }
  | { kind: "cleanup"; options: CleanupOptions }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "unavailable"; name: string };

/** Subcommands reserved for later issues. */
const UNAVAILABLE = new Set<string>([]);

const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;

const RUN_FLAGS = {
  target: { type: "string", default: "embedded" },
  tags: { type: "string" },
  name: { type: "string" },
  region: { type: "string", multiple: true, default: [] as string[] },
  profile: { type: "string" },
  instance: { type: "string", multiple: true, default: [] as string[] },
  "instance-tag": { type: "string", multiple: true, default: [] as string[] },
  "log-group": { type: "string", multiple: true, default: [] as string[] },
  shard: { type: "string" },
  policy: { type: "string" },
  "report-dir": { type: "string", default: "reports" },
  history: { type: "string" },
  parallel: { type: "string", default: "1" },
  "time-scale": { type: "string" },
  fault: { type: "string" },
  tls: { type: "boolean", default: false },
  agent: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "fail-fast": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", default: false },
} satisfies ParseArgsConfig["options"];

const REPORT_FLAGS = {
  "report-dir": RUN_FLAGS["report-dir"],
  history: RUN_FLAGS.history,
  help: RUN_FLAGS.help,
} satisfies ParseArgsConfig["options"];

export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first !== undefined && UNAVAILABLE.has(first)) return { kind: "unavailable", name: first };
  if (first === "report") return parseReport(rest);
  if (first === "cleanup") return parseCleanup(rest);
  const { values: flags } = parseFlags(first === "run" ? rest : argv, RUN_FLAGS, false);
  if (flags.help) return { kind: "help" };
  if (flags.version) return { kind: "version" };
  return { kind: "run", options: validate(flags) };
}

function parseReport(args: string[]): Command {
  const { values, positionals } = parseFlags(args, REPORT_FLAGS, true);
  if (values.help) return { kind: "help" };
  if (positionals.length === 0) {
    throw new UsageError("report needs at least one messages.ndjson file (several: the shards of one run)");
  }
  for (const file of positionals) checkReadable(file, "message stream");
  return {
    kind: "report",
    options: { streams: positionals, reportDir: values["report-dir"], history: values.history },
  };
}

function parseFlags<T extends ParseArgsConfig["options"]>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const line = message.split("\n")[0]!;
    const quoted = /'[^']*'/.exec(line)?.[0];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown flag ${quoted}; see --help`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new UsageError(`unexpected argument ${quoted}: the commands are run, report and cleanup`);
    }
    throw new UsageError(line.charAt(0).toLowerCase() + line.slice(1));
  }
}

function validate(flags: ReturnType<typeof parseFlags<typeof RUN_FLAGS>>["values"]): RunOptions {
  const target = flags.target as TargetKind;
  if (!TARGET_KINDS.includes(target)) {
    throw new UsageError(`unknown target '${flags.target}': use ${TARGET_KINDS.join(", ")}`);
  }
  if (!/^[0-9]+$/.test(flags.parallel) || Number(flags.parallel) < 1) {
    throw new UsageError(`--parallel must be a whole number of at least 1, not '${flags.parallel}'`);
  }
  for (const id of flags.instance) {
    if (!INSTANCE_ID.test(id))
      throw new UsageError(`bad instance id '${id}': expected i-... or mi-... and 8-17 hex digits`);
  }
  for (const tag of flags["instance-tag"]) {
    if (!/^[^=]+=/.test(tag)) throw new UsageError(`bad instance tag '${tag}': expected Key=Value`);
  }
  if (flags.name !== undefined) checkRegex(flags.name);
  if (target !== "aws") {
    if (flags.region.length > 1) throw new UsageError("--region is repeatable with --target aws only");
    if (flags["log-group"].length > 0) throw new UsageError("--log-group applies to --target aws only");
  }
  for (const region of flags.region) checkRegion(region);
  if (flags.tls && target !== "embedded") throw new UsageError("--tls applies to --target embedded only");
  return {
    target,
    tags: flags.tags,
    name: flags.name,
    regions: flags.region,
    profile: flags.profile,
    instances: flags.instance,
    instanceTags: flags["instance-tag"],
    logGroups: flags["log-group"],
    shard: flags.shard === undefined ? undefined : shard(flags.shard),
    policyPath: flags.policy === undefined ? undefined : checkPolicy(flags.policy),
    reportDir: flags["report-dir"],
    history: flags.history,
    parallel: Number(flags.parallel),
    timeScale: flags["time-scale"] === undefined ? undefined : timeScale(flags["time-scale"], target),
    fault: flags.fault === undefined ? undefined : fault(flags.fault, target),
    tls: flags.tls,
    agent: flags.agent === undefined ? undefined : agent(flags.agent, target, Number(flags.parallel)),
    dryRun: flags["dry-run"],
    failFast: flags["fail-fast"],
  };
}

function checkRegex(source: string): void {
  try {
    new RegExp(source);
  } catch (error) {
    throw new UsageError(`--name is not a valid regular expression: ${(error as Error).message}`);
  }
}

function timeScale(raw: string, target: TargetKind): number {
  if (target === "aws")
    throw new UsageError("--time-scale applies to local targets only; AWS runs on real time");
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--time-scale must be a positive number, not '${raw}'`);
  }
  return value;
}

function fault(spec: string, target: TargetKind): string {
  if (target === "aws") throw new UsageError("--fault applies to local targets only (embedded, container)");
  try {
    parseFaultSpec(spec);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(`--fault: ${error.message}`);
    throw error;
  }
  return spec;
}

function agent(kind: string, target: TargetKind, parallel: number): AgentKind {
  if (target !== "container") throw new UsageError("--agent applies to --target container only");
  if (!(AGENT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown agent '${kind}': use ${AGENT_KINDS.join(" or ")}`);
  }
  // Each worker would start its own agent container, and only one can own 127.0.0.1:443.
  if (kind === "amazon" && parallel > 1) {
    throw new UsageError("--agent amazon runs one agent container (it owns 127.0.0.1:443): use --parallel 1");
  }
  return kind as AgentKind;
}

/** The policy file must be readable and valid; returns its absolute path. */
function checkPolicy(file: string): string {
  checkReadable(file, "policy file");
  try {
    loadPolicy(file);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
  return path.resolve(file);
}

function checkReadable(file: string, what: string): void {
  try {
    readFileSync(file);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = message.split(",")[0]!.replace(`${code}: `, "");
    throw new UsageError(`cannot read ${what} ${file}: ${reason}${code ? ` (${code})` : ""}`);
  }
}

function shard(raw: string): string {
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const [index, total] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || index < 1 || total < 1 || index > total) {
    throw new UsageError(`--shard must be index/total with 1 <= index <= total, e.g. 1/3, not '${raw}'`);
  }
  return raw;
}

function checkRegion(region: string): void {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError(`bad region '${region}': expected a region name such as eu-west-1`);
  }
}

/** `cleanup`: remove what interrupted runs left behind on aws (support/cli/cleanup.ts). */
export interface CleanupOptions {
  /** Everything of this run (documents named and tagged with it, sessions whose Reason names it). */
  runId?: string;
  /** Everything of any run older than this. */
  olderThanHours?: number;
  regions: string[];
  profile?: string;
  /** List only. */
  dryRun: boolean;
}

const CLEANUP_FLAGS = {
  "run-id": { type: "string" },
  "older-than": { type: "string" },
  region: RUN_FLAGS.region,
  profile: RUN_FLAGS.profile,
  "dry-run": RUN_FLAGS["dry-run"],
  help: RUN_FLAGS.help,
} satisfies ParseArgsConfig["options"];

/** A run id as newRunId makes it: date, time and a random suffix. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9]{1,12}$/;

function parseCleanup(args: string[]): Command {
  const { values } = parseFlags(args, CLEANUP_FLAGS, false);
  if (values.help) return { kind: "help" };
  const runId = values["run-id"];
  const olderThan = values["older-than"];
  if ((runId === undefined) === (olderThan === undefined)) {
    throw new UsageError("cleanup needs --run-id <id> or --older-than <hours> (one of them)");
  }
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(`bad run id '${runId}': expected the id a run printed, e.g. 20260101-120000-abc123`);
  }
  const hours = olderThan === undefined ? undefined : Number(olderThan);
  if (olderThan !== undefined && (olderThan.trim() === "" || !Number.isFinite(hours) || hours! < 0)) {
    throw new UsageError(`--older-than must be a number of hours (0 or more), not '${olderThan}'`);
  }
  for (const region of values.region) checkRegion(region);
  return {
    kind: "cleanup",
    options: {
      ...(runId !== undefined && { runId }),
      ...(hours !== undefined && { olderThanHours: hours }),
      regions: values.region,
      ...(values.profile !== undefined && { profile: values.profile }),
      dryRun: values["dry-run"],
    },
  };
}
