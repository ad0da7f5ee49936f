/**
 * The wall time of the whole spec on the embedded stack, as a user runs it:
 * `node bin/ssm-conformance.js --report-dir reports/bench-suite` in a child process (ts-node start-up,
 * the stack, every scenario, the reports). The scenario counts and the slowest scenarios come from the
 * junit.xml the run writes. BENCH_SUITE_ARGS adds CLI arguments (e.g. "--parallel 2").
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { round } from "./lib/support";
import type { BenchResult } from "./result";

const TARGET_S = 60;

export async function run(): Promise<BenchResult> {
  const root = path.resolve(__dirname, "..");
  const reportDir = "reports/bench-suite";
  const extra = (process.env.BENCH_SUITE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const args = [path.join(root, "bin/ssm-conformance.js"), "--report-dir", reportDir, ...extra];
  const t0 = performance.now();
  const { code, output, cpu } = await new Promise<{ code: number | null; output: string; cpu: number }>(
    (resolve) => {
      const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        output += d.toString();
      });
      child.on("exit", (exitCode) => {
        // The child's own CPU (and its reaped descendants') as the kernel accounted it.
        const usage = process.resourceUsage();
        resolve({ code: exitCode, output, cpu: usage.userCPUTime + usage.systemCPUTime });
      });
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const junit = path.join(root, reportDir, "junit.xml");
  const cases = existsSync(junit) ? parseJunit(readFileSync(junit, "utf8")) : [];
  const failed = cases.filter((c) => c.failed).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const rows: BenchResult["rows"] = [
    {
      measure: "wall time of the whole spec (s)",
      value: round(seconds, 1),
    },
    { measure: "exit code", value: code ?? "signal" },
    {
      measure: "scenarios (passed / failed / skipped)",
      value: `${cases.length - failed - skipped} / ${failed} / ${skipped}`,
    },
    {
      measure: "sum of scenario times (s)",
      value: round(
        cases.reduce((a, c) => a + c.seconds, 0),
        1,
      ),
    },
  ];
  const slowest = [...cases].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  for (const c of slowest) rows.push({ measure: `slow: ${c.name.slice(0, 70)}`, value: round(c.seconds, 1) });
  void cpu;
  const tail = output.trim().split("\n").slice(-4).join(" | ");
  return {
    rows,
    notes: [
      `target: under ${TARGET_S} s: ${seconds < TARGET_S ? "met" : "NOT met"} (${seconds.toFixed(1)} s)`,
      `run summary: ${tail.slice(0, 400)}`,
    ],
  };
}

interface Case {
  name: string;
  seconds: number;
  failed: boolean;
  skipped: boolean;
}

function parseJunit(xml: string): Case[] {
  const cases: Case[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = m[1] ?? "";
    const body = m[3] ?? "";
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1] ?? "?";
    const time = Number(/\btime="([^"]*)"/.exec(attrs)?.[1] ?? 0);
    cases.push({
      name: name
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">"),
      seconds: time,
      failed: /<(failure|error)\b/.test(body),
      skipped: /<skipped\b/.test(body),
    });
  }
  return cases;
}
