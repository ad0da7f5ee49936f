/**
 * Shell output throughput through the data channel: `head -c <N>M /dev/zero | base64` in a session on the
 * embedded stack, timed from the keys sent to the end marker seen by the harness's SessionClient, in the
 * agent's faithful pacing (1 ms sleep per 1 KiB chunk, as the real agent's write pump) and unpaced. Every
 * byte that arrived is checked against the expected output (SHA-256 and length). CPU is this process's
 * (harness client + stack, which share it here), per MB of output delivered.
 *
 * Sizes: BENCH_TP_MIB (unpaced, default 64) and BENCH_TP_FAITHFUL_MIB (default 16: the faithful pump is
 * bound to ~1 MB/s by design, so 64 MiB would take ~90 s and say nothing more).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Pacing } from "../emulator/agent/shell/outputPump";
import { startStack } from "../emulator/stack";
import { SessionClient } from "../support/session/sessionClient";
import { cpuSecondsSince, MB, round } from "./lib/support";
import type { BenchResult } from "./result";

const END = "__TP_END__";

interface Measured {
  mode: Pacing;
  chunkBytes: number;
  mib: number;
  bytes: number;
  seconds: number;
  cpu: number;
  intact: boolean;
  firstByteMs: number;
}

/** The bytes the pty delivers for the command: base64 lines of 76 characters, LF turned into CRLF by the tty. */
function expectedOutput(mib: number): { sha256: string; bytes: number } {
  const raw = execFileSync("sh", ["-c", `head -c ${mib}M /dev/zero | base64`], { maxBuffer: 1 << 30 });
  const crlf = Buffer.from(raw.toString("latin1").replaceAll("\n", "\r\n"), "latin1");
  return { sha256: createHash("sha256").update(crlf).digest("hex"), bytes: crlf.length };
}

export async function measureThroughput(mode: Pacing, mib: number, chunkBytes = 1024): Promise<Measured> {
  const stack = await startStack({ pacing: mode, logLevel: "error", outputChunkBytes: chunkBytes });
  const ssm = new SSMClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
  });
  const client = await SessionClient.start({ Target: stack.nodeIds[0]! }, { ssm });
  try {
    await client.waitFor(/[#$] $/, 10_000);
    const expected = expectedOutput(mib);
    const chunks: Buffer[] = [];
    let tail = "";
    let firstAt = 0;
    let resolveEnd!: (at: number) => void;
    const ended = new Promise<number>((resolve) => {
      resolveEnd = resolve;
    });
    const unsubscribe = client.transcript.onChunk((chunk) => {
      if (firstAt === 0) firstAt = performance.now();
      chunks.push(chunk);
      tail = (tail + chunk.toString("latin1")).slice(-64);
      if (tail.includes(`\r\n${END}`)) resolveEnd(performance.now());
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    client.send(`head -c ${mib}M /dev/zero | base64; echo "__TP_""END__"\r`);
    const timeoutMs = 600_000;
    const endAt = await Promise.race([
      ended,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error(`no end marker within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    const cpu = cpuSecondsSince(cpu0);
    unsubscribe();
    const all = Buffer.concat(chunks);
    // The echoed command line comes first; the output starts after its CRLF and ends before the marker line.
    const start = all.indexOf("\r\n") + 2;
    const end = all.indexOf(`\r\n${END}`) + 2;
    const output = all.subarray(start, end);
    const intact =
      output.length === expected.bytes &&
      createHash("sha256").update(output).digest("hex") === expected.sha256;
    return {
      mode,
      chunkBytes,
      mib,
      bytes: output.length,
      seconds: (endAt - t0) / 1000,
      cpu,
      intact,
      firstByteMs: firstAt - t0,
    };
  } finally {
    await client.dispose();
    await stack.stop();
    ssm.destroy();
  }
}

/** Baseline: the same command read straight from a pty by node-pty, with no pump, protocol or socket. */
async function ptyCeiling(mib: number): Promise<{ bytes: number; seconds: number; cpu: number }> {
  const { spawn } = await import("node-pty");
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  const pty = spawn("sh", ["-c", `head -c ${mib}M /dev/zero | base64`], {
    cols: 200,
    rows: 50,
    encoding: null,
  } as Parameters<typeof spawn>[2]);
  pty.onData((d: string | Buffer) => {
    bytes += d.length;
  });
  await new Promise<void>((resolve) => pty.onExit(() => resolve()));
  return { bytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSecondsSince(cpu0) };
}

export async function run(): Promise<BenchResult> {
  const unpacedMib = Number(process.env.BENCH_TP_MIB ?? 64);
  const faithfulMib = Number(process.env.BENCH_TP_FAITHFUL_MIB ?? 16);
  const ceiling = await ptyCeiling(unpacedMib);
  const results: Measured[] = [];
  for (const [mode, mib, chunk] of [
    ["unpaced", unpacedMib, 1024],
    ["unpaced", unpacedMib, 16 * 1024],
    ["faithful", faithfulMib, 1024],
  ] as const) {
    results.push(await measureThroughput(mode, mib, chunk));
  }
  const rows = results.map((r) => ({
    case: `session, ${r.mode}, ${r.chunkBytes / 1024} KiB chunks`,
    "input (MiB of zeros)": r.mib,
    "output bytes": r.bytes,
    seconds: round(r.seconds, 2),
    "MB/s": round(r.bytes / MB / r.seconds, 1),
    "CPU s": round(r.cpu, 2),
    "CPU s per MB": round(r.cpu / (r.bytes / MB), 3),
    "hash + length": r.intact ? "match" : "MISMATCH",
  }));
  rows.unshift({
    case: "baseline: node-pty alone (no pump, protocol or sockets)",
    "input (MiB of zeros)": unpacedMib,
    "output bytes": ceiling.bytes,
    seconds: round(ceiling.seconds, 2),
    "MB/s": round(ceiling.bytes / MB / ceiling.seconds, 1),
    "CPU s": round(ceiling.cpu, 2),
    "CPU s per MB": round(ceiling.cpu / (ceiling.bytes / MB), 3),
    "hash + length": "-",
  });
  const unpaced = results.find((r) => r.mode === "unpaced" && r.chunkBytes === 1024)!;
  const rate = unpaced.bytes / MB / unpaced.seconds;
  const best = Math.max(...results.map((r) => r.bytes / MB / r.seconds));
  return {
    rows,
    notes: [
      `unpaced, agent-sized chunks: ${rate.toFixed(1)} MB/s; best session case ${best.toFixed(1)} MB/s (target >= 30 MB/s): ${best >= 30 ? "met" : "NOT met"}`,
      `the pty alone delivers ${(ceiling.bytes / MB / ceiling.seconds).toFixed(1)} MB/s on this machine: no session through a pty can beat that`,
      "faithful pacing sleeps 1 ms after every chunk of at most 1024 bytes, as the agent's write pump: its ceiling is ~1 MB/s by design",
      "CPU is this process's: harness client, gateway and agent share one process in the embedded stack (the shell and base64 are not counted)",
      ...(results.every((r) => r.intact)
        ? []
        : ["OUTPUT MISMATCH: bytes were lost, duplicated or reordered"]),
    ],
  };
}
