/**
 * Concurrent sessions: one harness process (this one) drives K shell sessions at once against a stack in a
 * child process (`emulator/cli.ts --port 0`, faithful pacing, the agent's real 1 s log upload cadence), for
 * K = 10, 50, 100, 200 (BENCH_SESSIONS_K="10,50"), each on a fresh stack. Every session runs 20 marker
 * commands (BENCH_SESSIONS_COMMANDS); each command's "command to observable" latency is t3 - t0: t0 the keys
 * sent, t3 the marker first seen by the harness's LogWatcher polling FilterLogEvents on the session's stream
 * (streaming logs on). Reported per K: sessions started per second, latency p50/p99 (HdrHistogram), resident
 * memory per session of the harness process and of the stack process (growth over the idle process, divided
 * by K; the shells are separate processes, reported apart), and CPU seconds of each.
 * Baselines in the same run: K = 10 for the per-session cost, and at K = 10 a GetLogEvents tail (fixed 100 ms
 * poll) on the same streams as the alternative to FilterLogEvents polling for observability.
 * Target: 200 sessions, none failing, command-to-observable p99 under 2 s.
 */

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateDocumentCommand, DescribeSessionsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LogWatcher } from "../support/logs/logWatcher";
import { SessionClient } from "../support/session/sessionClient";
import {
  type ChildStack,
  latencyPercentiles,
  MiB,
  processCpuSeconds,
  round,
  rssOf,
  sleep,
  startChildStack,
  TEST_CREDENTIALS,
} from "./lib/support";
import type { BenchResult } from "./result";

const KS = (process.env.BENCH_SESSIONS_K ?? "10,50,100,200").split(",").map(Number);
const COMMANDS = Number(process.env.BENCH_SESSIONS_COMMANDS ?? 20);
/** Pause between a command's completion in the shell and the next command. */
const THINK_MS = Number(process.env.BENCH_SESSIONS_THINK_MS ?? 200);
const OBSERVE_TIMEOUT_MS = 30_000;
const LOG_GROUP = "/ssm-conformance/bench-sessions";

interface Outcome {
  k: number;
  started: number;
  failedSessions: number;
  failedCommands: number;
  startSeconds: number;
  filterLatencies: number[];
  /** t2 - t0: command to ingested (the logs service's ingestionTime). */
  ingestLatencies: number[];
  tailLatencies: number[];
  harnessRssPerSession: number;
  stackRssPerSession: number;
  shellRssPerSession: number;
  harnessCpu: number;
  stackCpu: number;
  wallSeconds: number;
  activeAfter: number;
  errors: string[];
}

function clients(stack: ChildStack) {
  // More sockets than the SDK's default 50: hundreds of sessions poll their streams at once.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const config = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 3,
    requestHandler: { httpAgent: agent },
  };
  return { ssm: new SSMClient(config), logs: new CloudWatchLogsClient(config), agent };
}

/** RSS of every descendant of `pid` (the session shells and what they run). */
function descendantsRss(pid: number): number {
  let out = "";
  try {
    out = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss="], { encoding: "utf8" });
  } catch {
    return 0;
  }
  const rows = out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const children = new Map<number, number[]>();
  for (const [p, pp] of rows) children.set(pp, [...(children.get(pp) ?? []), p]);
  const rss = new Map(rows.map(([p, , r]) => [p, r]));
  let total = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += (rss.get(p) ?? 0) * 1024;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** The GetLogEvents alternative to FilterLogEvents polling: tail one stream forward at a fixed 100 ms. */
function tailStream(
  logs: CloudWatchLogsClient,
  logStreamName: string,
  onMessage: (message: string, at: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return (async () => {
    let nextToken: string | undefined;
    while (!signal.aborted) {
      try {
        const page = await logs.send(
          new GetLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName, startFromHead: true, nextToken }),
        );
        const at = Date.now();
        for (const e of page.events ?? []) onMessage(e.message ?? "", at);
        nextToken = page.nextForwardToken ?? nextToken;
      } catch (error) {
        if ((error as Error).name !== "ResourceNotFoundException" || signal.aborted) {
          if (!signal.aborted) throw error;
        }
      }
      await sleep(100);
    }
  })();
}

async function runK(k: number, withTail: boolean): Promise<Outcome> {
  const stack = await startChildStack({
    pacing: "faithful",
    nodes: ["i-0e5c1a2b3c4d5e6f7"],
    logLevel: process.env.BENCH_DEBUG ? "warn" : "error",
    // BENCH_SESSIONS_PROFILE=<dir>: a CPU profile of the stack process (node --cpu-prof), written at its exit.
    execArgv: process.env.BENCH_SESSIONS_PROFILE
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_SESSIONS_PROFILE}`]
      : [],
  });
  const { ssm, logs, agent } = clients(stack);
  const errors: string[] = [];
  const note = (e: unknown) => {
    if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
  };
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
    const documentName = `bench-sessions-${randomBytes(4).toString("hex")}`;
    await ssm.send(
      new CreateDocumentCommand({
        Name: documentName,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: JSON.stringify({
          schemaVersion: "1.0",
          description: "bench: sessions",
          sessionType: "Standard_Stream",
          inputs: {
            cloudWatchLogGroupName: LOG_GROUP,
            cloudWatchStreamingEnabled: true,
            cloudWatchEncryptionEnabled: false,
            idleSessionTimeout: "20",
          },
        }),
      }),
    );
    await sleep(500);
    const harnessRss0 = process.memoryUsage().rss;
    const stackRss0 = rssOf(stack.pid);
    const harnessCpu0 = process.cpuUsage();
    const stackCpu0 = processCpuSeconds(stack.pid);
    const t0 = performance.now();

    // 1. start K sessions at once
    const opened = await Promise.allSettled(
      Array.from({ length: k }, () =>
        SessionClient.start(
          { Target: stack.nodeIds[0]!, DocumentName: documentName },
          { ssm, openTimeoutMs: 60_000 },
        ),
      ),
    );
    const startSeconds = (performance.now() - t0) / 1000;
    const sessions = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    for (const o of opened) if (o.status === "rejected") note(o.reason);

    // 2. every session: 20 marker commands, each observed through FilterLogEvents (and a GetLogEvents tail)
    const filterLatencies: number[] = [];
    const ingestLatencies: number[] = [];
    const tailLatencies: number[] = [];
    let failedCommands = 0;
    const failedSessions = new Set<number>();
    const abort = new AbortController();
    const tails: Promise<void>[] = [];
    await Promise.all(
      sessions.map(async (session, index) => {
        const watcher = new LogWatcher(logs, {
          logGroupName: LOG_GROUP,
          logStreamName: session.sessionId,
        }).start();
        const tailSeen = new Map<string, number>();
        const tailWaiters = new Map<string, (at: number) => void>();
        if (withTail) {
          tails.push(
            tailStream(
              logs,
              session.sessionId,
              (message, at) => {
                for (const m of message.match(/__bm_[0-9a-z]+__/g) ?? []) {
                  if (tailSeen.has(m)) continue;
                  tailSeen.set(m, at);
                  tailWaiters.get(m)?.(at);
                }
              },
              abort.signal,
            ).catch(note),
          );
        }
        const observations: Promise<void>[] = [];
        try {
          for (let c = 0; c < COMMANDS; c++) {
            const marker = `__bm_${index.toString(36)}x${c.toString(36)}${randomBytes(3).toString("hex")}__`;
            // The typed line spells the marker in two quoted halves, so only the output line carries it.
            const half = marker.length >> 1;
            const result = await session.run(
              `echo "${marker.slice(0, half)}""${marker.slice(half)}"`,
              20_000,
            );
            const t0 = result.sentAt;
            observations.push(
              watcher.waitForMarker(marker, OBSERVE_TIMEOUT_MS).then(
                (m) => {
                  filterLatencies.push(m.t3 - t0);
                  ingestLatencies.push(m.t2 - t0);
                },
                (e: unknown) => {
                  failedCommands++;
                  failedSessions.add(index);
                  note(e);
                },
              ),
            );
            if (withTail) {
              observations.push(
                new Promise<number>((resolve, reject) => {
                  const seen = tailSeen.get(marker);
                  if (seen !== undefined) return resolve(seen);
                  tailWaiters.set(marker, resolve);
                  setTimeout(() => reject(new Error(`tail: no ${marker}`)), OBSERVE_TIMEOUT_MS).unref();
                }).then((at) => {
                  tailLatencies.push(at - t0);
                }, note),
              );
            }
            await sleep(THINK_MS);
          }
          await Promise.all(observations);
        } catch (error) {
          failedSessions.add(index);
          failedCommands += COMMANDS - observations.length / (withTail ? 2 : 1);
          note(error);
        } finally {
          await watcher.stop();
        }
      }),
    );
    abort.abort();
    await Promise.all(tails);

    // 3. memory and CPU while all K sessions are still open
    const harnessRss = process.memoryUsage().rss;
    const stackRss = rssOf(stack.pid);
    const shellRss = descendantsRss(stack.pid);
    const harnessCpu = process.cpuUsage(harnessCpu0);
    const stackCpu = processCpuSeconds(stack.pid) - stackCpu0;
    const wallSeconds = (performance.now() - t0) / 1000;

    await Promise.all(sessions.map((s) => s.dispose()));
    const active = await ssm.send(new DescribeSessionsCommand({ State: "Active" }));
    return {
      k,
      started: sessions.length,
      failedSessions: k - sessions.length + failedSessions.size,
      failedCommands,
      startSeconds,
      filterLatencies,
      ingestLatencies,
      tailLatencies,
      harnessRssPerSession: (harnessRss - harnessRss0) / k,
      stackRssPerSession: (stackRss - stackRss0) / k,
      shellRssPerSession: shellRss / k,
      harnessCpu: (harnessCpu.user + harnessCpu.system) / 1e6,
      stackCpu,
      wallSeconds,
      activeAfter: active.Sessions?.length ?? 0,
      errors,
    };
  } finally {
    ssm.destroy();
    logs.destroy();
    agent.destroy();
    if (process.env.BENCH_DEBUG) console.error(stack.stderr().slice(-3000));
    await stack.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const outcomes: Outcome[] = [];
  for (const k of KS) {
    // The GetLogEvents tail doubles the polling load: only on the baseline K.
    outcomes.push(await runK(k, k === KS[0] && k <= 10));
    if (typeof global.gc === "function") global.gc();
    await sleep(1000);
  }
  const rows: BenchResult["rows"] = outcomes.map((o) => {
    const lat = latencyPercentiles(o.filterLatencies);
    const ing = latencyPercentiles(o.ingestLatencies);
    return {
      sessions: o.k,
      "failed sessions": o.failedSessions,
      "failed commands": o.failedCommands,
      "started/s": round(o.started / o.startSeconds, 1),
      "obs. p50 ms": lat.p50,
      "obs. p99 ms": lat.p99,
      "obs. max ms": lat.max,
      "ingested p50 ms": ing.p50,
      "ingested p99 ms": ing.p99,
      "harness MiB/session": round(o.harnessRssPerSession / MiB, 2),
      "stack MiB/session": round(o.stackRssPerSession / MiB, 2),
      "shells MiB/session": round(o.shellRssPerSession / MiB, 2),
      "harness CPU s": round(o.harnessCpu, 1),
      "stack CPU s": round(o.stackCpu, 1),
      "wall s": round(o.wallSeconds, 1),
    };
  });
  const base = outcomes[0]!;
  if (base.tailLatencies.length > 0) {
    const tail = latencyPercentiles(base.tailLatencies);
    rows.push({
      sessions: `${base.k} (GetLogEvents tail, 100 ms)`,
      "failed sessions": "-",
      "failed commands": base.k * COMMANDS - base.tailLatencies.length,
      "started/s": "-",
      "obs. p50 ms": tail.p50,
      "obs. p99 ms": tail.p99,
      "obs. max ms": tail.max,
      "ingested p50 ms": "-",
      "ingested p99 ms": "-",
      "harness MiB/session": "-",
      "stack MiB/session": "-",
      "shells MiB/session": "-",
      "harness CPU s": "-",
      "stack CPU s": "-",
      "wall s": "-",
    });
  }
  const top = outcomes[outcomes.length - 1]!;
  const topLat = latencyPercentiles(top.filterLatencies);
  const met = top.k >= 200 && top.failedSessions === 0 && top.failedCommands === 0 && topLat.p99 < 2000;
  return {
    rows,
    notes: [
      `${COMMANDS} marker commands per session, ${THINK_MS} ms apart; observable = marker seen through FilterLogEvents (LogWatcher, 100-1000 ms adaptive poll)`,
      `target: 200 sessions, none failing, p99 < 2000 ms: ${met ? "met" : "NOT met"} (K=${top.k}: ${top.failedSessions} failed sessions, ${top.failedCommands} failed commands, p99 ${topLat.p99} ms)`,
      "per-session memory = (RSS with K sessions open - RSS before) / K; shells = RSS of the stack's descendant processes / K",
      ...outcomes
        .filter((o) => o.activeAfter > 0)
        .map((o) => `K=${o.k}: ${o.activeAfter} session(s) still Active after dispose`),
      ...outcomes.flatMap((o) => o.errors.map((e) => `K=${o.k} error: ${e.slice(0, 200)}`)),
    ],
  };
}
