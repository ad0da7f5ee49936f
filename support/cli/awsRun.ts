/**
 * `run --target aws`: plan, estimate, then one cucumber run per node and region.
 *
 * - Plan: a dry run of the selection (tags, name, shard) gives the scenarios; their `@needs:` tags tell the
 *   preflight what to check (no CreateDocument probe for an audit-only run, no node needed either).
 * - Estimate: printed before anything starts, since AWS runs on real minutes (support/targets/awsEstimate).
 * - Matrix: `--region` and `--instance` are repeatable. The runs are sequential, in this process, each with
 *   its own target (credentials, preflight, temporary documents) and its own report directory,
 *   `<report-dir>/<region>/<instance>`; `<report-dir>/matrix.json` and the printed table merge them. With
 *   several regions, each instance runs in the region(s) where it is a managed node. A single node and
 *   region writes straight to `<report-dir>`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DescribeInstanceInformationCommand } from "@aws-sdk/client-ssm";
import { loadPolicy } from "../config/policy";
import { ASSUME_TIME_SCALE_ENV, readCaller, resolveRegion } from "../targets/aws";
import { describeError } from "../targets/awsErrors";
import { estimateRun, formatEstimate } from "../targets/awsEstimate";
import { createClients, destroyClients } from "../targets/clients";
import type { RunOptions } from "./args";
import { UsageError } from "./args";
import { planSpec } from "./run";
import type { Counts } from "./tally";

/** What one run (one cell) ended with. */
export interface CellOutcome {
  status: number;
  counts?: Counts;
}

export interface MatrixCell {
  region?: string;
  instance?: string;
  reportDir: string;
}

export type RunOne = (options: RunOptions) => Promise<CellOutcome>;

const STATUS_RANK = [0, 1, 2, 130];

export async function runOnAws(
  options: RunOptions,
  runOne: RunOne,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const planned = await planSpec(options);
  const needs = [
    ...new Set(planned.flatMap((p) => p.tags.filter((t) => t.startsWith("@needs:")).map((t) => t.slice(7)))),
  ].sort();
  const policy = loadPolicy(options.policyPath).policy;
  const scale = Number(process.env[ASSUME_TIME_SCALE_ENV]) || 1;
  const estimate = (cells: number) =>
    print(
      formatEstimate(
        estimateRun(planned, policy, { cells, parallel: options.parallel, timeScale: scale }),
        policy,
      ),
    );
  if (options.dryRun) {
    // No AWS call on a dry run: the matrix is counted, not resolved.
    estimate(Math.max(1, options.regions.length) * Math.max(1, options.instances.length));
    return (await runOne(options)).status;
  }
  const cells = await matrix(options);
  estimate(cells.length);
  if (cells.length === 1) return (await runOne(cellOptions(options, cells[0]!, needs))).status;

  const outcomes: Array<MatrixCell & CellOutcome> = [];
  for (const [i, cell] of cells.entries()) {
    print(`\n== run ${i + 1}/${cells.length}: ${label(cell)} (reports in ${cell.reportDir})`);
    const outcome = await runOne(cellOptions(options, cell, needs));
    outcomes.push({ ...cell, ...outcome });
    if (outcome.status === 130) break;
  }
  const base = path.resolve(options.reportDir);
  writeFileSync(
    path.join(base, "matrix.json"),
    `${JSON.stringify(
      {
        cells: outcomes.map((o) => ({
          region: o.region ?? null,
          instance: o.instance ?? null,
          reportDir: path.relative(base, path.resolve(o.reportDir)),
          status: o.status,
          counts: o.counts ?? null,
        })),
        notRun: cells.slice(outcomes.length).map(label),
      },
      null,
      2,
    )}\n`,
  );
  print("\nMatrix");
  for (const o of outcomes) {
    const counts = o.counts
      ? `${o.counts.passed} passed, ${o.counts.failed} failed, ${o.counts.skipped} skipped`
      : "did not run (see above)";
    print(`  ${label(o).padEnd(40)} ${counts}  ${o.reportDir}`);
  }
  for (const cell of cells.slice(outcomes.length)) print(`  ${label(cell).padEnd(40)} not run (interrupted)`);
  print(`  summary    ${path.join(options.reportDir, "matrix.json")}`);
  return outcomes.reduce(
    (worst, o) => (STATUS_RANK.indexOf(o.status) > STATUS_RANK.indexOf(worst) ? o.status : worst),
    0,
  );
}

function cellOptions(options: RunOptions, cell: MatrixCell, needs: string[]): RunOptions {
  return {
    ...options,
    regions: cell.region ? [cell.region] : [],
    instances: cell.instance ? [cell.instance] : [],
    reportDir: cell.reportDir,
    needs,
  };
}

function label(cell: MatrixCell): string {
  return [cell.region ?? "default region", cell.instance ?? "node by tag"].join(" / ");
}

/** The runs: one per region and instance; with several regions, instances only where they are registered. */
export async function matrix(options: RunOptions): Promise<MatrixCell[]> {
  const regions: (string | undefined)[] = options.regions.length > 0 ? options.regions : [undefined];
  const instances: (string | undefined)[] = options.instances.length > 0 ? options.instances : [undefined];
  if (regions.length * instances.length === 1) {
    return [{ region: regions[0], instance: instances[0], reportDir: options.reportDir }];
  }
  const dir = (...parts: (string | undefined)[]) =>
    path.join(options.reportDir, ...parts.filter((p): p is string => p !== undefined));
  if (regions.length === 1 || options.instances.length === 0) {
    return regions.flatMap((region) =>
      instances.map((instance) => ({ region, instance, reportDir: dir(region, instance) })),
    );
  }
  // Several regions and instances: an instance id belongs to one region.
  const cells: MatrixCell[] = [];
  const found = new Set<string>();
  for (const region of regions as string[]) {
    const present = await registeredInstances(region, options);
    for (const instance of options.instances) {
      if (!present.has(instance)) continue;
      found.add(instance);
      cells.push({ region, instance, reportDir: dir(region, instance) });
    }
  }
  const missing = options.instances.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.join(", ")} ${missing.length > 1 ? "are not managed nodes" : "is not a managed node"} in any of ${regions.join(", ")}`,
    );
  }
  return cells;
}

async function registeredInstances(region: string, options: RunOptions): Promise<Set<string>> {
  const clients = createClients({ region, profile: options.profile });
  try {
    await resolveRegion(clients, options.profile);
    await readCaller(clients.sts, options.profile);
    const out = await clients.ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: "InstanceIds", Values: options.instances }],
        MaxResults: 50,
      }),
    );
    return new Set((out.InstanceInformationList ?? []).map((i) => i.InstanceId!));
  } catch (error) {
    throw new UsageError(
      `cannot find which region each --instance is in (${region}): ${describeError(error)}`,
    );
  } finally {
    destroyClients(clients);
  }
}
