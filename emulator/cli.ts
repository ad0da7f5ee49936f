/**
 * `npm run stack`: the emulator as a standalone process on 127.0.0.1. Prints the endpoint, the nodes, the KMS
 * keys and the environment lines that point AWS tools at it, then serves until SIGINT/SIGTERM and shuts
 * down cleanly (sessions closed, shells killed). A second signal during shutdown exits at once.
 *
 * Exit codes: 0 clean shutdown (and --help), 1 start-up or shutdown failure, 2 bad flag or value, or port
 * in use, 128 + signal number when a second signal cuts shutdown short (130 for Ctrl-C).
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { amazonAgentInstructions } from "./externalAgent/amazonAgentConfig";
import { FAULT_PROFILES, FaultSpecError, parseFaultSpec } from "./faults";
import type { LogLevel } from "./logger";

const PROGRAM = "npm run stack --";
const NODE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
const PACINGS = ["faithful", "unpaced"] as const;
/** A second signal this soon after the first is the same interrupt, delivered twice. */
const SAME_INTERRUPT_MS = 200;
/** Shutdown that takes longer than this is abandoned with exit code 1. */
const SHUTDOWN_LIMIT_MS = 20_000;

export const USAGE = `Usage: ${PROGRAM} [options]

Runs the Session Manager emulator (SSM, ssmmessages, CloudWatch Logs, KMS, STS) on 127.0.0.1 until
Ctrl-C or SIGTERM.

Options:
  --port <n>                 Port of the single endpoint, 0-65535 (default 0: a free port, printed)
  --time-scale <x>           Speed-up of idle timeout and max session duration only; 60 makes a
                             configured minute last one second (default 1)
  --node <id>                A managed node served by a built-in agent; repeatable
                             (default i-0e5c1a2b3c4d5e6f7 and mi-0e5c1a2b3c4d5e6f8)
  --external-node <id>       A managed node with no built-in agent, for a real amazon-ssm-agent to
                             connect as; repeatable
  --region <region>          Region of the stack (default us-east-1)
  --strict-sigv4             Reject unknown access keys and bad or missing signatures on the AWS API
  --log-level <level>        debug, info, warn or error (default info); logs go to stderr
  --pacing <mode>            Shell output pacing: faithful (the agent's 1 ms per chunk) or unpaced
                             (default faithful)
  --default-shell-user <u>   User shells run as without Run As (default: this process's user;
                             another user needs root)
  --logs-endpoint <url|aws>  Where the agents ship session logs: a CloudWatch Logs endpoint such as
                             LocalStack's http://127.0.0.1:4566, or aws for Amazon CloudWatch Logs
                             with the default credential chain (default: this emulator)
  --agent-thread             Run the built-in agents on a worker thread of their own (a second core,
                             as agents on their own machines); not with --fault
  --fault <name[:k=v,...]>   Run non-conformant on purpose with a fault profile (emulator/faults),
                             e.g. no-idle-timeout or slow-logs:delayMs=20000
  --tls                      Serve https and wss (what the real amazon-ssm-agent needs) with a
                             certificate from a CA made at start; the CA file is printed as
                             SSL_CERT_FILE and AWS_CA_BUNDLE and removed on exit
  --help                     Show this help

Node ids match ^(i|mi)-[0-9a-f]{8,17}$.
Fault profiles: ${FAULT_PROFILES.map((p) => p.name).join(", ")}.
`;

export interface CliOptions {
  port: number;
  timeScale: number;
  nodes: string[] | undefined;
  externalNodes: string[];
  region: string;
  strictSigV4: boolean;
  logLevel: LogLevel;
  pacing: (typeof PACINGS)[number];
  defaultShellUser: string | undefined;
  /** Where the agents ship session logs: a URL, "aws", or undefined for this stack's own provider. */
  logsEndpoint: string | undefined;
  /** A fault profile, checked: `name` or `name:key=value,...`. */
  fault: string | undefined;
  agentThread: boolean;
  tls: boolean;
  help: boolean;
}

/** A bad command line: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses and checks the command line. Throws UsageError with a one-line message. */
export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  const v = parsed.values;
  const options: CliOptions = {
    port: v.port === undefined ? 0 : portOf(v.port),
    timeScale: v["time-scale"] === undefined ? 1 : timeScaleOf(v["time-scale"]),
    nodes: v.node === undefined ? undefined : v.node.map((id) => nodeIdOf(id, "--node")),
    externalNodes: (v["external-node"] ?? []).map((id) => nodeIdOf(id, "--external-node")),
    region: v.region === undefined ? "us-east-1" : regionOf(v.region),
    strictSigV4: v["strict-sigv4"] ?? false,
    logLevel: oneOf(v["log-level"] ?? "info", LOG_LEVELS, "--log-level"),
    pacing: oneOf(v.pacing ?? "faithful", PACINGS, "--pacing"),
    defaultShellUser: v["default-shell-user"] === undefined ? undefined : userOf(v["default-shell-user"]),
    logsEndpoint: v["logs-endpoint"] === undefined ? undefined : logsEndpointOf(v["logs-endpoint"]),
    fault: v.fault === undefined ? undefined : faultOf(v.fault),
    agentThread: v["agent-thread"] ?? false,
    tls: v.tls ?? false,
    help: v.help ?? false,
  };
  if (options.agentThread && options.fault !== undefined)
    throw new UsageError(
      "--agent-thread cannot be combined with --fault (fault profiles hook the agents in-process)",
    );
  const seen = new Set<string>();
  for (const id of [...(options.nodes ?? []), ...options.externalNodes]) {
    if (seen.has(id)) throw new UsageError(`node id ${id} is given more than once`);
    seen.add(id);
  }
  return options;
}

const STRING_OPTIONS = new Set(["--port", "--time-scale", "--region", "--log-level", "--pacing"]);

function parse(argv: string[]) {
  // `--port -1` and `--time-scale -2` are values, not flags: pass them on so they get the range message.
  const args = argv.flatMap((arg, i) =>
    STRING_OPTIONS.has(arg) && /^-\.?\d/.test(argv[i + 1] ?? "")
      ? [`${arg}=${argv[i + 1]}`]
      : i > 0 && STRING_OPTIONS.has(argv[i - 1]!) && /^-\.?\d/.test(arg)
        ? []
        : [arg],
  );
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      "time-scale": { type: "string" },
      node: { type: "string", multiple: true },
      "external-node": { type: "string", multiple: true },
      region: { type: "string" },
      "strict-sigv4": { type: "boolean" },
      "log-level": { type: "string" },
      pacing: { type: "string" },
      "default-shell-user": { type: "string" },
      "logs-endpoint": { type: "string" },
      fault: { type: "string" },
      "agent-thread": { type: "boolean" },
      tls: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** node:util parseArgs errors, cut to one line without its advice about `--`. */
function parseArgsMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? message}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /does not take an argument/.test(message)
        ? `option ${option ?? ""} takes no value`
        : `option ${option ?? ""} needs a value`;
    default:
      return message.split("\n")[0]!;
  }
}

function portOf(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--port must be a number from 0 to 65535, got "${text}"`);
  const port = Number(text);
  if (port > 65535) throw new UsageError(`--port must be from 0 to 65535, got ${text}`);
  return port;
}

function timeScaleOf(text: string): number {
  const scale = /^\s*$/.test(text) ? Number.NaN : Number(text);
  if (!Number.isFinite(scale)) throw new UsageError(`--time-scale must be a number, got "${text}"`);
  if (scale <= 0) throw new UsageError(`--time-scale must be greater than 0, got ${text}`);
  return scale;
}

function nodeIdOf(id: string, flag: string): string {
  if (!NODE_ID.test(id))
    throw new UsageError(`${flag} "${id}" is not a managed node id (^(i|mi)-[0-9a-f]{8,17}$)`);
  return id;
}

function regionOf(region: string): string {
  if (!REGION.test(region)) throw new UsageError(`--region "${region}" is not a region name like us-east-1`);
  return region;
}

function userOf(user: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(user))
    throw new UsageError(`--default-shell-user "${user}" is not a user name`);
  return user;
}

function logsEndpointOf(text: string): string {
  if (text === "aws") return text;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash)
    throw new UsageError(
      `--logs-endpoint must be an http(s) URL like http://127.0.0.1:4566 or aws, got "${text}"`,
    );
  return url.origin;
}

function faultOf(text: string): string {
  try {
    parseFaultSpec(text);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(`--fault: ${error.message}`);
    throw error;
  }
  return text;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function fail(message: string, code: number): never {
  process.stderr.write(`stack: ${message}\n`);
  process.exit(code);
}

/** The lines printed once the stack is up (stdout). Credentials are the dummy test keys; no tokens. */
export function banner(stack: {
  endpoint: string;
  port: number;
  region: string;
  timeScale: number;
  nodeIds: readonly string[];
  externalNodeIds: readonly string[];
  kmsKeys: readonly { arn: string; aliases: string[] }[];
  fault?: { label: string; profile: { summary: string } };
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Present when the stack serves HTTPS (`--tls`), which the real agent needs. */
  tls?: { caFile: string };
  env(): Record<string, string>;
}): string {
  const env = { ...stack.env(), AWS_DEFAULT_REGION: stack.region };
  const exports = Object.entries(env)
    .filter(([name]) => !/TOKEN/i.test(name))
    .map(([name, value]) => `export ${name}=${value}`);
  const keys = stack.kmsKeys.map((k) => `${k.arn}${k.aliases.length ? ` (${k.aliases.join(", ")})` : ""}`);
  const target = stack.nodeIds[0] ?? stack.externalNodeIds[0];
  return [
    "Session Manager emulator ready",
    `endpoint: ${stack.endpoint}`,
    `port: ${stack.port}`,
    `region: ${stack.region}`,
    `time scale: ${stack.timeScale} (idle timeout and max session duration only)`,
    `nodes: ${stack.nodeIds.join(" ") || "none"} (built-in agents)`,
    `external nodes: ${stack.externalNodeIds.join(" ") || "none"}`,
    ...(keys.length ? keys.map((k) => `kms key: ${k}`) : ["kms key: none"]),
    ...(stack.tls ? [`tls: CA certificate in ${stack.tls.caFile} (removed on exit)`] : []),
    ...(stack.fault
      ? [`fault profile: ${stack.fault.label} (NOT CONFORMANT ON PURPOSE): ${stack.fault.profile.summary}`]
      : []),
    "",
    stack.tls
      ? "# Point AWS tools at the emulator (test credentials; SSL_CERT_FILE and AWS_CA_BUNDLE trust its CA):"
      : "# Point AWS tools at the emulator (test credentials):",
    ...exports,
    "",
    "# Then, for example (needs the session-manager-plugin):",
    target
      ? `aws ssm start-session --target ${target} --endpoint-url ${stack.endpoint} --region ${stack.region}`
      : "# (no managed node)",
    "",
    ...externalAgentLines(stack),
    "Ctrl-C stops the emulator; a second Ctrl-C exits at once.",
    "",
  ].join("\n");
}

/** For each external node, how to point a real amazon-ssm-agent at the stack (it speaks only HTTPS). */
function externalAgentLines(stack: Parameters<typeof banner>[0]): string[] {
  if (stack.externalNodeIds.length === 0) return [];
  const { tls } = stack;
  if (!tls)
    return ["# A real amazon-ssm-agent needs HTTPS: start the stack with --tls for its configuration", ""];
  return stack.externalNodeIds.flatMap((nodeId) => [
    ...amazonAgentInstructions({
      endpoint: stack.endpoint,
      region: stack.region,
      nodeId,
      port: stack.port,
      credentials: stack.credentials,
      caFile: tls.caFile,
    }),
    "",
  ]);
}

async function main(argv: string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const defaultShellUser = await shellUserOf(options.defaultShellUser);

  // Loaded only now, so that --help and bad flags answer at once.
  const { startStack } = await import("./stack");
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      port: options.port,
      timeScale: options.timeScale,
      nodes: options.nodes,
      externalNodes: options.externalNodes,
      region: options.region,
      strictSigV4: options.strictSigV4,
      logLevel: options.logLevel,
      pacing: options.pacing,
      defaultShellUser,
      fault: options.fault,
      logsEndpoint: options.logsEndpoint,
      agentThread: options.agentThread,
      tls: options.tls,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") fail(`port ${options.port} is already in use`, 2);
    if (code === "EACCES") fail(`not allowed to listen on port ${options.port}`, 2);
    fail(`could not start: ${(error as Error).message}`, 1);
  }

  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = 128 + (signal === "SIGTERM" ? 15 : 2);
    if (stoppingSince !== undefined) {
      // Under `npm run`, one Ctrl-C arrives twice: from the terminal and forwarded by npm.
      if (Date.now() - stoppingSince < SAME_INTERRUPT_MS) return;
      process.stderr.write(`stack: ${signal} again: exiting at once\n`);
      process.exit(code);
    }
    stoppingSince = Date.now();
    process.stderr.write(`stack: ${signal}: shutting down (press Ctrl-C again to exit at once)\n`);
    const limit = setTimeout(
      () => fail(`shutdown took over ${SHUTDOWN_LIMIT_MS / 1000} s; exiting`, 1),
      SHUTDOWN_LIMIT_MS,
    );
    stack.stop().then(
      () => {
        clearTimeout(limit);
        process.stderr.write("stack: stopped\n");
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`, 1),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stdout.write(banner(stack));
  if (stack.fault && Object.keys(stack.fault.hooks).every((part) => part === "account"))
    process.stderr.write(
      `stack: fault profile ${stack.fault.profile.name} only changes the account a local target seeds; this stack seeds none\n`,
    );
  if (options.logsEndpoint !== undefined)
    process.stderr.write(
      `stack: agents ship session logs to ${options.logsEndpoint === "aws" ? `Amazon CloudWatch Logs (${stack.region})` : options.logsEndpoint}\n`,
    );
}

/**
 * The default shell user, checked before start: this process's own user means no switch at all; another user
 * needs root and must exist (as for Run As, the shell would otherwise fail at every session start).
 */
async function shellUserOf(user: string | undefined): Promise<string | undefined> {
  if (user === undefined || user === userInfo().username) return undefined;
  const { resolveIdentity, RunAsUserError } = await import("./agent/shell/runAs");
  try {
    await resolveIdentity(user);
  } catch (error) {
    if (!(error instanceof RunAsUserError)) throw error;
    fail(
      error.reason === "not-root"
        ? `--default-shell-user ${user} needs the emulator to run as root`
        : `--default-shell-user ${user}: no such user`,
      2,
    );
  }
  return user;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `stack: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
