/**
 * Builds every report from Cucumber message streams: conformance.json/.html/.md, latency.json/.html, and
 * the run's line in history.jsonl. Several streams are the shards of one run and are merged.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { harnessVersion } from "../evidence/runMetadata";
import { buildConformance } from "./conformance";
import { conformanceHtml } from "./conformanceHtml";
import { appendHistory, detectRegression, historyEntry, readHistory, trendOf } from "./history";
import { latencyReport, measure } from "./latency";
import { latencyHtml } from "./latencyHtml";
import { conformanceMarkdown } from "./markdown";
import { mergeStreams, type RunStream, readStream } from "./stream";

export interface BuildOptions {
  /** messages.ndjson files: one run, or the shards of one run. */
  streams: readonly string[];
  reportDir: string;
  historyFile: string;
  /** Record the run in the history (an interrupted run is not). */
  appendHistory: boolean;
  now?: Date;
}

export interface BuildResult {
  /** Absolute paths of the files written (the history included when appended). */
  files: string[];
  verdict: string;
  /** Lines worth a reader's attention: a latency regression. */
  notes: string[];
}

export async function buildReports(options: BuildOptions): Promise<BuildResult> {
  const run = mergeStreams(options.streams.map((file) => readStream(readFileSync(file, "utf8"))));
  const conformance = buildConformance(run, options.now ?? new Date(), harnessVersion());
  const measurements = measure(run);
  const entry = historyEntry(conformance, measurements.metrics);
  const history = readHistory(options.historyFile);
  const regression = detectRegression(entry, history);
  const notes = regression ? [regression.message] : [];
  const latency = latencyReport(conformance, measurements, trendOf(entry, history), regression);

  const reportDir = path.resolve(options.reportDir);
  mkdirSync(reportDir, { recursive: true });
  const outputs: Array<[string, string]> = [
    ["conformance.json", `${JSON.stringify(conformance, null, 2)}\n`],
    ["conformance.html", conformanceHtml(conformance, notes)],
    ["conformance.md", conformanceMarkdown(conformance, measurements.metrics, notes)],
    ["latency.json", `${JSON.stringify(latency, null, 2)}\n`],
    ["latency.html", await latencyHtml(latency, commandToLogLimit(run))],
  ];
  const files = outputs.map(([name, text]) => {
    const file = path.join(reportDir, name);
    writeFileSync(file, text);
    return file;
  });
  const historyFile = path.resolve(options.historyFile);
  if (options.appendHistory && appendHistory(historyFile, entry, history)) files.push(historyFile);
  return { files, verdict: conformance.verdict, notes };
}

/** The policy's command-to-log limit as the run's evidence states it, for the CDF's rule. */
function commandToLogLimit(run: RunStream): number | null {
  for (const scenario of run.scenarios) {
    for (const attempt of scenario.attempts) {
      const evidence = attempt.evidence.find(
        (e) => e.kind === "command-to-log" && typeof e.required === "number",
      );
      if (evidence) return evidence.required as number;
    }
  }
  return null;
}
