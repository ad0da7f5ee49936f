/**
 * Concurrent sessions: one harness process (this one) drives K shell sessions at once against a stack in a
 * child process (`emulator/cli.ts --port 0`, faithful pacing, the agent's real 1 s log upload cadence), for
 * K = 10, 50, 100, 200 (BENCH_SESSIONS_K="10,50"), each on a fresh stack. Every session runs 20 marker
 * commands (BENCH_SESSIONS_COMMANDS); each command's "command to observable" latency is t3 - t0: t0 the keys
 * sent, t3 the marker first seen by the harness through FilterLogEvents (streaming logs on): one
 * LogGroupWatcher polls the whole group for all K sessions, as one poller per session would cost K requests
 * per poll. Reported per K: sessions started per second, latency p50/p99 (HdrHistogram), resident memory per
 * session of the harness process and of the stack process (growth over the idle process, divided by K; the
 * shells are separate processes, reported apart), CPU seconds of each, and the harness's FilterLogEvents rate.
 * Baselines in the same run: the first K (10) for the ratios, and at that K one LogWatcher per session
 * (each polling its own stream, 100-1000 ms) on the same streams as the per-session alternative. The largest
 * K runs again with the stack's agents on a worker thread of their own (`--agent-thread`): the service's
 * event loop is the bottleneck in-process.
 * Target: 200 sessions, none failing, command-to-observable p99 under 2 s.
 */

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateDocumentCommand, DescribeSessionsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LogGroupWatcher } from "../support/logs/logGroupWatcher";
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
  /** The stack's built-in agents on a worker thread of their own (`--agent-thread`). */
  agentThread: boolean;
  started: number;
  failedSessions: number;
  failedCommands: number;
  startSeconds: number;
  filterLatencies: number[];
  /** t2 - t0: command to ingested (the logs service's ingestionTime). */
  ingestLatencies: number[];
  /** t2 - t1: the event's timestamp (the agent's upload tick) to ingested, i.e. the PutLogEvents call. */
  putLatencies: number[];
  /** The same commands seen by one LogWatcher per session (baseline K only). */
  perStreamLatencies: number[];
  /** FilterLogEvents calls of the group watcher (and of the per-session watchers, counted apart). */
  groupRequests: number;
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

async function runK(k: number, perStream: boolean, agentThread: boolean): Promise<Outcome> {
  const stack = await startChildStack({
    pacing: "faithful",
    nodes: ["i-0e5c1a2b3c4d5e6f7"],
    agentThread,
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

    // 2. every session: 20 marker commands, each observed through the group watcher (and its own watcher)
    const filterLatencies: number[] = [];
    const ingestLatencies: number[] = [];
    const putLatencies: number[] = [];
    const perStreamLatencies: number[] = [];
    let failedCommands = 0;
    const failedSessions = new Set<number>();
    const group = new LogGroupWatcher(logs, { logGroupName: LOG_GROUP }).start();
    await Promise.all(
      sessions.map(async (session, index) => {
        const watcher = group.watch(session.sessionId);
        const own = perStream
          ? new LogWatcher(logs, { logGroupName: LOG_GROUP, logStreamName: session.sessionId }).start()
          : undefined;
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
                  putLatencies.push(m.t2 - m.t1);
                },
                (e: unknown) => {
                  failedCommands++;
                  failedSessions.add(index);
                  note(e);
                },
              ),
            );
            if (own) {
              observations.push(
                own.waitForMarker(marker, OBSERVE_TIMEOUT_MS).then((m) => {
                  perStreamLatencies.push(m.t3 - t0);
                }, note),
              );
            }
            await sleep(THINK_MS);
          }
          await Promise.all(observations);
        } catch (error) {
          failedSessions.add(index);
          failedCommands += COMMANDS - observations.length / (own ? 2 : 1);
          note(error);
        } finally {
          await own?.stop();
        }
      }),
    );
    await group.stop();

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
      agentThread,
      started: sessions.length,
      failedSessions: k - sessions.length + failedSessions.size,
      failedCommands,
      startSeconds,
      filterLatencies,
      ingestLatencies,
      putLatencies,
      perStreamLatencies,
      groupRequests: group.requests,
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
    // The per-session watchers multiply the polling load: only on the baseline K.
    outcomes.push(await runK(k, k === KS[0] && k <= 10, false));
    if (typeof global.gc === "function") global.gc();
    await sleep(1000);
  }
  // The largest K again with the agents on a second core, as agents on machines of their own.
  const largest = KS[KS.length - 1]!;
  outcomes.push(await runK(largest, false, true));
  const base = outcomes[0]!;
  const baseLat = latencyPercentiles(base.filterLatencies);
  const stackCpuPerSession = (o: Outcome) => o.stackCpu / o.k;
  const rows: BenchResult["rows"] = outcomes.map((o) => {
    const lat = latencyPercentiles(o.filterLatencies);
    const ing = latencyPercentiles(o.ingestLatencies);
    const put = latencyPercentiles(o.putLatencies);
    return {
      sessions: o.agentThread ? `${o.k} (agents' own thread)` : o.k,
      "failed sessions": o.failedSessions,
      "failed commands": o.failedCommands,
      "started/s": round(o.started / o.startSeconds, 1),
      "obs. p50 ms": lat.p50,
      "obs. p99 ms": lat.p99,
      [`p99 x K=${base.k}`]: round(lat.p99 / baseLat.p99, 2),
      "obs. max ms": lat.max,
      "ingested p50 ms": ing.p50,
      "ingested p99 ms": ing.p99,
      "put p99 ms": put.p99,
      "harness MiB/session": round(o.harnessRssPerSession / MiB, 2),
      "stack MiB/session": round(o.stackRssPerSession / MiB, 2),
      "shells MiB/session": round(o.shellRssPerSession / MiB, 2),
      "harness CPU s": round(o.harnessCpu, 1),
      "stack CPU s": round(o.stackCpu, 1),
      [`stack CPU/session x K=${base.k}`]: round(stackCpuPerSession(o) / stackCpuPerSession(base), 2),
      "filter req/s": round(o.groupRequests / o.wallSeconds, 1),
      "wall s": round(o.wallSeconds, 1),
    };
  });
  if (base.perStreamLatencies.length > 0) {
    const own = latencyPercentiles(base.perStreamLatencies);
    rows.push({
      sessions: `${base.k} (a LogWatcher per session)`,
      "failed commands": base.k * COMMANDS - base.perStreamLatencies.length,
      "obs. p50 ms": own.p50,
      "obs. p99 ms": own.p99,
      [`p99 x K=${base.k}`]: round(own.p99 / baseLat.p99, 2),
      "obs. max ms": own.max,
    });
  }
  const verdict = (o: Outcome) => {
    const p99 = latencyPercentiles(o.filterLatencies).p99;
    const met = o.k >= 200 && o.failedSessions === 0 && o.failedCommands === 0 && p99 < 2000;
    return `${met ? "met" : "NOT met"} (K=${o.k}${o.agentThread ? ", agents on their own thread" : ""}: ${o.failedSessions} failed sessions, ${o.failedCommands} failed commands, p99 ${p99} ms)`;
  };
  const inProcess = outcomes.filter((o) => !o.agentThread);
  return {
    rows,
    notes: [
      `${COMMANDS} marker commands per session, ${THINK_MS} ms apart; observable = marker seen through FilterLogEvents (one LogGroupWatcher, 100-1000 ms adaptive poll of the whole group)`,
      `target: 200 sessions, none failing, p99 < 2000 ms: ${verdict(inProcess[inProcess.length - 1]!)}; ${verdict(outcomes[outcomes.length - 1]!)}`,
      "agents' own thread: the stack's built-in agents on a worker thread (npm run stack -- --agent-thread), the service on the main one",
      "ingested = t2 - t0 (keys sent to the logs service's ingestionTime); put = t2 - t1 (the event's timestamp, taken at the agent's upload tick, to ingestion: the PutLogEvents call)",
      "per-session memory = (RSS with K sessions open - RSS before) / K; shells = RSS of the stack's descendant processes / K",
      ...outcomes
        .filter((o) => o.activeAfter > 0)
        .map((o) => `K=${o.k}: ${o.activeAfter} session(s) still Active after dispose`),
      ...outcomes.flatMap((o) => o.errors.map((e) => `K=${o.k} error: ${e.slice(0, 200)}`)),
    ],
  };
}
