/**
 * The latency page's charts: Vega-Lite specs compiled with vega-lite and rendered to SVG by vega's
 * headless View, in Node, without a browser or canvas. The SVG is inlined into the page.
 *
 * vega and vega-lite are pinned to major 5: their 6.x releases are ESM-only, and 5.x is the newest
 * major that a CommonJS `require` loads on every Node 20.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { TrendPoint } from "./history";
import type { CommandTiming, MetricSummary } from "./latency";

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const WIDTH = 960;

const CONFIG = {
  font: FONT,
  background: "white",
  view: { stroke: null },
  axis: { labelColor: "#424a53", titleColor: "#1f2328", gridColor: "#eaeef2", domainColor: "#afb8c1" },
  legend: { orient: "top", labelLimit: 0, labelColor: "#424a53", titleColor: "#1f2328" },
};

/** Colours shared by the charts and the page: one per command metric and timeline phase. */
export const SERIES = {
  agentUploadDelay: "#bf8700",
  commandToIngested: "#8250df",
  commandToObservable: "#0969da",
} as const;

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile({ ...spec, config: CONFIG } as TopLevelSpec).spec), {
    renderer: "none",
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Empirical CDF of the command metrics, with the policy's limit as a rule when known. */
export function cdfChart(
  metrics: readonly MetricSummary[],
  samples: Record<string, readonly number[]>,
  limitMs: number | null,
): Promise<string> {
  const shown = metrics.filter((m) => m.id in SERIES && m.count > 0);
  const values = shown.flatMap((m) => samples[m.id]!.map((value) => ({ metric: m.label, value })));
  const lines = {
    data: { values },
    transform: [
      { window: [{ op: "cume_dist", as: "fraction" }], sort: [{ field: "value" }], groupby: ["metric"] },
    ],
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2, point: { size: 28 } },
    encoding: {
      x: { field: "value", type: "quantitative", title: "latency (ms)" },
      y: { field: "fraction", type: "quantitative", title: "share of commands", axis: { format: "%" } },
      color: {
        field: "metric",
        type: "nominal",
        title: null,
        scale: {
          domain: shown.map((m) => m.label),
          range: shown.map((m) => SERIES[m.id as keyof typeof SERIES]),
        },
      },
    },
  };
  const limit =
    limitMs === null
      ? []
      : [
          {
            data: { values: [{ limit: limitMs, label: `policy limit ${limitMs / 1000} s` }] },
            layer: [
              {
                mark: { type: "rule", color: "#cf222e", strokeDash: [6, 4] },
                encoding: { x: { field: "limit", type: "quantitative" } },
              },
              {
                mark: { type: "text", color: "#cf222e", align: "right", dx: -4, dy: 8, baseline: "top" },
                encoding: {
                  x: { field: "limit", type: "quantitative" },
                  y: { value: 0 },
                  text: { field: "label" },
                },
              },
            ],
          },
        ];
  return render({ width: WIDTH, height: 260, layer: [lines, ...limit] } as TopLevelSpec);
}

/** One row per command: where its time went, relative to the keystrokes (t0). */
export function timelineChart(commands: readonly CommandTiming[]): Promise<string> {
  const phases: Array<[string, keyof CommandTiming, keyof CommandTiming, string]> = [
    ["agent upload (t0 → t1)", "t0", "t1", SERIES.agentUploadDelay],
    ["ingestion (t1 → t2)", "t1", "t2", SERIES.commandToIngested],
    ["seen by the harness (t2 → t3)", "t2", "t3", SERIES.commandToObservable],
  ];
  const values = commands.flatMap((c) => {
    const row = `${c.requirement ?? c.scenario} #${c.command}${c.attempt > 0 ? ` (retry ${c.attempt})` : ""}`;
    return phases.flatMap(([phase, from, to]) => {
      const start = c[from] as number | null;
      const end = c[to] as number | null;
      return start === null || end === null ? [] : [{ row, phase, start: start - c.t0, end: end - c.t0 }];
    });
  });
  const rows = new Set(values.map((v) => v.row)).size;
  return render({
    width: WIDTH,
    height: Math.max(60, rows * 16),
    data: { values },
    mark: { type: "bar", height: 10 },
    encoding: {
      y: { field: "row", type: "nominal", sort: null, title: null },
      x: { field: "start", type: "quantitative", title: "ms after the keystrokes (t0)" },
      x2: { field: "end" },
      color: {
        field: "phase",
        type: "nominal",
        title: null,
        scale: { domain: phases.map((p) => p[0]), range: phases.map((p) => p[3]) },
      },
    },
  } as TopLevelSpec);
}

/** p50 and p99 of command to observable, and the pass rate, over this target's recent runs. */
export function trendChart(points: readonly TrendPoint[]): Promise<string> {
  const values = points.map((p, i) => ({ ...p, run: i + 1 }));
  const x = {
    field: "run",
    type: "ordinal",
    title: "run (oldest → newest)",
    axis: { labelAngle: 0 },
  };
  return render({
    vconcat: [
      {
        width: WIDTH,
        height: 180,
        data: { values },
        transform: [{ fold: ["p50", "p99"], as: ["percentile", "ms"] }, { filter: "datum.ms !== null" }],
        mark: { type: "line", point: { size: 50 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: "ms", type: "quantitative", title: "command to observable (ms)" },
          color: {
            field: "percentile",
            type: "nominal",
            title: null,
            scale: { domain: ["p50", "p99"], range: [SERIES.commandToObservable, "#cf222e"] },
          },
        },
      },
      {
        width: WIDTH,
        height: 120,
        data: { values },
        transform: [{ filter: "datum.passRate !== null" }],
        mark: { type: "line", point: { size: 50, color: "#1a7f37" }, color: "#1a7f37", strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: "passRate",
            type: "quantitative",
            title: "requirements passed",
            scale: { domain: [0, 1] },
            axis: { format: "%" },
          },
        },
      },
    ],
  } as TopLevelSpec);
}
