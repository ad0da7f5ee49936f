/**
 * `npm run bench -- NAME`: runs bench/NAME.ts, prints its table and writes reports/bench/NAME.json.
 * Each benchmark module exports `run(): Promise<BenchResult>`.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchResult } from "./result";

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && !["run.ts", "result.ts"].includes(f))
    .map((f) => f.replace(/\.ts$/, ""));
  const name = process.argv[2];
  if (!name || !available.includes(name)) {
    console.error(
      `usage: npm run bench -- <${available.join("|")}>${name ? ` (unknown benchmark: ${name})` : ""}`,
    );
    process.exit(2);
  }
  const module = (await import(path.join(__dirname, name))) as { run(): Promise<BenchResult> };
  const result = await module.run();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    /** Load averages (1, 5, 15 min) at the end: other work on the machine skews the figures. */
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(
    `\n${name} on ${machine.cpus} x ${machine.cpuModel}, ${machine.memGiB} GiB, node ${machine.node}, load average ${machine.loadavg.join(" ")}`,
  );
  console.table(result.rows);
  for (const note of result.notes ?? []) console.log(note);
  const outDir = path.resolve(__dirname, "../reports/bench");
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, at: new Date().toISOString(), machine, ...result }, null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
