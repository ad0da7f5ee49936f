/** Wording shared by the HTML and Markdown reports: values with units, run lines, dates. */
import type { CheckSummary, ConformanceReport } from "./schema";

export function formatValue(
  value: number | string | boolean | null | undefined,
  unit?: string | null,
): string {
  if (value === null || value === undefined) return "—";
  const text = typeof value === "number" ? value.toLocaleString("en-US") : String(value);
  return unit ? `${text} ${unit}` : text;
}

export function formatMs(value: number | null): string {
  return value === null ? "—" : `${value.toLocaleString("en-US")} ms`;
}

/** Longest measured or required text shown in a summary line; the evidence has it in full. */
const SUMMARY_CHARS = 90;

/** "1,423 ms vs 5,000 ms (worst of 5)"; "Connected, as required" */
export function formatCheck(check: CheckSummary): string {
  const measured = clip(formatValue(check.measured, check.unit));
  const required =
    check.required === null
      ? ""
      : check.required === check.measured
        ? ", as required"
        : ` vs ${clip(formatValue(check.required, check.unit))}`;
  const of = check.samples > 1 ? ` (worst of ${check.samples})` : "";
  return `${measured}${required}${of}`;
}

function clip(text: string): string {
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

export function formatInstant(iso: string | null): string {
  return iso === null ? "—" : `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

function formatDurationMs(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes} min ${Math.round(seconds % 60)} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function runDuration(run: ConformanceReport["run"]): string | null {
  if (!run.startedAt || !run.finishedAt) return null;
  return formatDurationMs(Date.parse(run.finishedAt) - Date.parse(run.startedAt));
}

/** "embedded · us-east-1 · account 000000000000 · policy pci-dss" */
export function runLine(run: ConformanceReport["run"]): string {
  const parts = [
    run.target ? `${run.target.kind} target, ${run.target.region}` : "no target metadata",
    run.caller ? `account ${run.caller.accountId}` : null,
    run.policy ? `policy ${run.policy.name}` : null,
    run.startedAt ? formatInstant(run.startedAt) : null,
    runDuration(run),
  ];
  return parts.filter((p) => p !== null).join(" · ");
}

export function headline(report: ConformanceReport): string {
  const { pass, fail, error, skipped } = report.counts.requirements;
  const total = pass + fail + error + skipped;
  const parts = [`${pass} of ${total} requirements passed`];
  if (fail > 0) parts.push(`${fail} failed`);
  if (error > 0) parts.push(`${error} could not be checked`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return parts.join(", ");
}
