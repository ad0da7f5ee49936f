/**
 * Shared set-up for the stack integration tests (test/emulator/stack-*.test.ts): a started stack with the
 * AWS SDK clients a real caller would build for it, Session documents, polling and process helpers.
 * Everything goes through the AWS APIs and the data channel, never through the stack's internals.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import {
  CreateDocumentCommand,
  DescribeSessionsCommand,
  type Session,
  SSMClient,
  type StartSessionCommandInput,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type StackOptions, type StartedStack, startStack } from "../../emulator/stack";
import { sdkTrusting } from "../../emulator/tls/sdkTrust";
import { SessionClient, type SessionClientOptions } from "../../support/session/sessionClient";

export interface TestStack {
  stack: StartedStack;
  ssm: SSMClient;
  logs: CloudWatchLogsClient;
  kms: KMSClient;
  /** The caller's ARN as STS reports it (the expected session Owner and userIdentity.arn). */
  callerArn: string;
  /** Starts a session as the plugin would; the client is disposed in `stop()` if the test did not. */
  open(
    input: StartSessionCommandInput,
    options?: Pick<SessionClientOptions, "openTimeoutMs">,
  ): Promise<SessionClient>;
  stop(): Promise<void>;
}

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const stack = await startStack({ logLevel: "error", ...options });
  // With `tls`, every client trusts the stack's CA, as a caller given its CA file would.
  const ca = stack.tls?.caPem;
  const config = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
    ...sdkTrusting(ca),
  };
  const ssm = new SSMClient(config);
  const logs = new CloudWatchLogsClient(config);
  const kms = new KMSClient(config);
  const sts = new STSClient(config);
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  const clients: SessionClient[] = [];
  return {
    stack,
    ssm,
    logs,
    kms,
    callerArn: identity.Arn!,
    async open(input, options) {
      const client = await SessionClient.start(input, { ssm, kms, ca, ...options });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await stack.stop();
      ssm.destroy();
      logs.destroy();
      kms.destroy();
    },
  };
}

/** A short unique word for markers, document names and log groups. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Creates a Session document (JSON) with the given inputs; returns its name. */
export async function createSessionDocument(
  ssm: SSMClient,
  inputs: Record<string, unknown>,
  name = unique("stack-doc"),
): Promise<string> {
  await ssm.send(
    new CreateDocumentCommand({
      Name: name,
      DocumentType: "Session",
      DocumentFormat: "JSON",
      Content: JSON.stringify({
        schemaVersion: "1.0",
        description: "stack integration test",
        sessionType: "Standard_Stream",
        inputs,
      }),
    }),
  );
  return name;
}

/** The session as DescribeSessions reports it in the given state, or undefined. */
export async function describeSession(
  ssm: SSMClient,
  sessionId: string,
  state: "Active" | "History",
): Promise<Session | undefined> {
  const out = await ssm.send(
    new DescribeSessionsCommand({ State: state, Filters: [{ key: "SessionId", value: sessionId }] }),
  );
  return out.Sessions?.find((s) => s.SessionId === sessionId);
}

/** Polls `probe` until it returns a value other than undefined; rejects after `timeoutMs` saying `what`. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Every event of one log stream (FilterLogEvents through all pages); [] when the stream does not exist. */
export async function streamEvents(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({ logGroupName, logStreamNames: [logStreamName], nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return [];
    throw error;
  }
  return events;
}

export interface SessionLogEvent {
  eventVersion: string;
  eventTime: string;
  awsRegion: string;
  target: { id: string };
  userIdentity: { arn: string };
  runAsUser: string;
  sessionId: string;
  sessionData: string[];
}

/** Parses a streamed event's message; throws naming the message when it is not the agent's JSON shape. */
export function parseSessionEvent(message: string): SessionLogEvent {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    throw new Error(`log event is not JSON: ${JSON.stringify(message.slice(0, 200))}`);
  }
  const event = value as SessionLogEvent;
  if (!Array.isArray(event.sessionData)) {
    throw new Error(`log event has no sessionData array: ${message.slice(0, 200)}`);
  }
  return event;
}

/** All sessionData lines of a streamed log stream, in event order. */
export async function streamedLines(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  sessionId: string,
): Promise<string[]> {
  const events = await streamEvents(logs, logGroupName, sessionId);
  return events.flatMap((e) => parseSessionEvent(e.message ?? "").sessionData);
}

/** Pids of this process's direct children whose command is a shell (the agents' session shells). */
export function childShellPids(): number[] {
  let out = "";
  try {
    out = execFileSync("ps", ["--ppid", String(process.pid), "-o", "pid=,comm="], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, comm]) => pid && (comm === "sh" || comm === "dash" || comm === "bash"))
    .map(([pid]) => Number(pid));
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the parenthesised command, which may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Pids of the direct children of `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** How many lines of `text` equal `line` (CR stripped). */
export function lineCount(text: string, line: string): number {
  return text.split("\n").filter((l) => l.replace(/\r$/, "") === line).length;
}
