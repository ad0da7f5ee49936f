/** The few lines printed after cucumber's own progress output. */
import path from "node:path";
import type { Counts, PlannedScenario } from "./tally";

export interface SummaryInput {
  target: string;
  counts: Counts;
  wallMs: number;
  reports: string[];
  /** Lines worth attention, e.g. a latency regression. */
  notes?: readonly string[];
  dryRun: boolean;
  interrupted: boolean;
  /** Listed on a dry run. */
  scenarios: PlannedScenario[];
}

export function formatSummary(input: SummaryInput): string {
  const { passed, failed, skipped } = input.counts;
  const lines = [""];
  if (input.dryRun) {
    lines.push(`Scenarios (dry run, no target started): ${input.scenarios.length}`);
    const width = Math.max(0, ...input.scenarios.map(({ location }) => location.length));
    lines.push(...input.scenarios.map(({ location, name }) => `  ${location.padEnd(width)}  ${name}`), "");
  }
  lines.push(
    "Summary",
    `  target     ${input.target}`,
    `  scenarios  ${passed} passed, ${failed} failed, ${skipped} skipped`,
    `  wall time  ${formatDuration(input.wallMs)}`,
  );
  if (input.interrupted) lines.push("  status     interrupted (Ctrl-C)");
  lines.push(...notes(input.notes ?? []), ...reports(input.reports));
  return `${lines.join("\n")}\n`;
}

/** After `report`: the verdict, notes and the files rebuilt. */
export function formatReportSummary(
  streams: number,
  built: { verdict: string; notes: string[]; files: string[] },
) {
  const lines = [
    "",
    "Reports",
    `  streams    ${streams} message stream${streams === 1 ? "" : "s"}${streams > 1 ? " (merged)" : ""}`,
    `  verdict    ${built.verdict}`,
    ...notes(built.notes),
    ...reports(built.files),
  ];
  return `${lines.join("\n")}\n`;
}

function notes(list: readonly string[]): string[] {
  return list.map((note) => `  note       ${note}`);
}

function reports(files: readonly string[]): string[] {
  return files.map((file, i) => `${i === 0 ? "  reports    " : " ".repeat(13)}${displayPath(file)}`);
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h${pad(m)}m${pad(s)}s` : `${m}m${pad(s)}s`;
}

/** Relative to the cwd when inside it, absolute otherwise. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
