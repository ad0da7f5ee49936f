/** Command-line parsing and validation. Every bad input becomes one UsageError line (exit 2). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { loadPolicy, PolicyError } from "../config/policy";
import { TARGET_KINDS, type TargetKind } from "../config/settings";

export class UsageError extends Error {}

export interface RunOptions {
  target: TargetKind;
  tags?: string;
  name?: string;
  region?: string;
  profile?: string;
  instances: string[];
  instanceTags: string[];
  /** Absolute path, checked readable and valid. */
  policyPath?: string;
  /** As given (for display); resolve against the caller's cwd before use. */
  reportDir: string;
  parallel: number;
  timeScale?: number;
  dryRun: boolean;
  failFast: boolean;
}

export type Command =
  | { kind: "run"; options: RunOptions }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "unavailable"; name: string };

/** Subcommands reserved for later issues. */
const UNAVAILABLE = new Set(["report", "cleanup"]);

const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;

const RUN_FLAGS = {
  target: { type: "string", default: "embedded" },
  tags: { type: "string" },
  name: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  instance: { type: "string", multiple: true, default: [] as string[] },
  "instance-tag": { type: "string", multiple: true, default: [] as string[] },
  policy: { type: "string" },
  "report-dir": { type: "string", default: "reports" },
  parallel: { type: "string", default: "1" },
  "time-scale": { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "fail-fast": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", default: false },
} satisfies ParseArgsConfig["options"];

export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first !== undefined && UNAVAILABLE.has(first)) return { kind: "unavailable", name: first };
  const flags = parseFlags(first === "run" ? rest : argv);
  if (flags.help) return { kind: "help" };
  if (flags.version) return { kind: "version" };
  return { kind: "run", options: validate(flags) };
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: RUN_FLAGS, strict: true, allowPositionals: false }).values;
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

function validate(flags: ReturnType<typeof parseFlags>): RunOptions {
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
  return {
    target,
    tags: flags.tags,
    name: flags.name,
    region: flags.region,
    profile: flags.profile,
    instances: flags.instance,
    instanceTags: flags["instance-tag"],
    policyPath: flags.policy === undefined ? undefined : checkPolicy(flags.policy),
    reportDir: flags["report-dir"],
    parallel: Number(flags.parallel),
    timeScale: flags["time-scale"] === undefined ? undefined : timeScale(flags["time-scale"], target),
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

/** The policy file must be readable and valid; returns its absolute path. */
function checkPolicy(file: string): string {
  try {
    readFileSync(file);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = message.split(",")[0]!.replace(`${code}: `, "");
    throw new UsageError(`cannot read policy file ${file}: ${reason}${code ? ` (${code})` : ""}`);
  }
  try {
    loadPolicy(file);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
  return path.resolve(file);
}
