/**
 * The schema of conformance.json, in one place: the zod schema below types the report, validates it in
 * tests, and generates the committed JSON Schema (conformance.schema.json) for everyone else.
 *
 * Versioning: `schemaVersion` is "major.minor". A minor bump only adds optional fields; a major bump
 * renames, removes or changes the meaning of a field.
 */
import { z } from "zod";

export const SCHEMA_VERSION = "1.0";

const Verdict = z
  .enum(["pass", "fail", "error", "skipped"])
  .describe(
    "pass: every scenario that ran passed; fail: a check did not hold; error: the check could not be made " +
      "(an unexpected error, an unfinished or unimplemented step); skipped: nothing ran (see reason)",
  );

const Value = z.union([z.number(), z.string(), z.boolean(), z.null()]);

const Compliance = z.strictObject({
  framework: z.string().describe('e.g. "PCI DSS" or "NIST SP 800-53"'),
  version: z.string().describe('e.g. "v4.0.1" or "Rev. 5"'),
  control: z.string().describe('The control or requirement id, e.g. "8.2.8" or "AC-11"'),
  title: z.string().nullable().describe("The control's short title, when known"),
});

const Check = z
  .object({
    kind: z.string().describe("The evidence kind, e.g. command-to-log, idle timeout close, preference"),
    measured: Value.describe(
      "The worst sample: the first that failed, else the largest number, else the first",
    ),
    required: Value.describe("What it was compared with"),
    unit: z.string().nullable(),
    ok: z.boolean(),
    samples: z.number().int().min(1).describe("How many samples of this kind the deciding attempts recorded"),
  })
  .describe("Measured against required, for one kind of evidence of the deciding attempts");

const EvidenceItem = z.strictObject({
  scenario: z.string().describe("uri:line of the scenario that attached it"),
  attempt: z.number().int().min(0).describe("0 for the first attempt; retries keep their evidence"),
  kind: z.string(),
  measured: Value,
  required: Value.optional(),
  unit: z.string().optional(),
  ok: z.boolean().optional().describe("Absent for informational evidence (e.g. session-start)"),
  sessionId: z.string().optional(),
  logGroupName: z.string().optional(),
  logStreamName: z.string().optional(),
  at: z.iso.datetime().describe("When the evidence was attached"),
  details: z.record(z.string(), z.unknown()).optional().describe("Timestamps (t0..t3), drift, messages"),
});

const ScenarioRef = z.strictObject({
  key: z.string().describe("uri:line"),
  name: z.string(),
  feature: z.string(),
  tags: z.array(z.string()),
  status: z
    .enum(["passed", "failed", "skipped", "undefined", "pending", "ambiguous", "not run"])
    .describe("The last attempt's status; not run: left out by the run's tag or name filter"),
  attempts: z.number().int().min(0),
  durationMs: z.number().nullable().describe("The last attempt's duration"),
  failure: z.string().nullable(),
  skipReason: z.string().nullable(),
  sessionIds: z.array(z.string()).describe("Every session the last attempt started, refused ones included"),
});

const Requirement = z.strictObject({
  id: z.string().describe('From the scenario\'s @req: tag (e.g. "IDLE-01"); uri:line when it has none'),
  title: z.string().describe("The first deciding scenario's name"),
  feature: z.string(),
  verdict: Verdict,
  reason: z.string().nullable().describe("Why it failed, errored or was skipped"),
  checks: z.array(Check),
  scenarios: z.array(ScenarioRef).describe("The scenarios tagged with this requirement: they decide it"),
  evidence: z.array(EvidenceItem).describe("Every evidence item of every attempt"),
  compliance: z.array(Compliance).describe("From the scenarios' @pci: and @nist: tags"),
});

const Control = z.strictObject({
  control: z.string(),
  title: z.string().nullable(),
  status: z
    .enum(["met", "failed", "partial", "not tested"])
    .describe(
      "met: every mapped requirement passed; failed: one failed or errored; partial: some passed, the " +
        "rest were skipped; not tested: none ran",
    ),
  requirements: z.array(z.strictObject({ id: z.string(), verdict: Verdict })),
});

const Counts = z.strictObject({
  pass: z.number().int(),
  fail: z.number().int(),
  error: z.number().int(),
  skipped: z.number().int(),
});

export const ConformanceReportSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    generatedAt: z.iso.datetime(),
    generator: z.strictObject({ name: z.literal("ssm-conformance"), version: z.string() }),
    verdict: z
      .enum(["pass", "fail", "error", "not tested"])
      .describe("fail if any requirement failed, else error if any errored, else pass if any passed"),
    run: z.strictObject({
      ids: z.array(z.string()).describe("Cucumber's testRunStarted ids, one per merged message stream"),
      startedAt: z.iso.datetime().nullable(),
      finishedAt: z.iso.datetime().nullable(),
      harnessVersion: z.string().nullable().describe("The harness that ran the scenarios"),
      cucumberVersion: z.string().nullable(),
      target: z
        .object({
          kind: z.string(),
          region: z.string(),
          endpoint: z.string().nullable(),
          logsBackend: z.string(),
          nodeIds: z.array(z.string()),
          agentVersion: z.string().nullable(),
          timeScale: z
            .number()
            .describe("Configured minutes per real minute; 1 on AWS. Latency is never scaled"),
        })
        .nullable()
        .describe("Null when no scenario ran (nothing attached the run's metadata)"),
      caller: z.strictObject({ accountId: z.string(), arn: z.string() }).nullable(),
      policy: z.strictObject({ name: z.string(), path: z.string(), sha256: z.string() }).nullable(),
    }),
    counts: z.strictObject({
      requirements: Counts,
      scenarios: z.record(z.string(), z.number().int()).describe("By the last attempt's status"),
    }),
    requirements: z.array(Requirement),
    compliance: z
      .array(z.strictObject({ framework: z.string(), version: z.string(), controls: z.array(Control) }))
      .describe("The requirements grouped by framework control"),
  })
  .describe("ssm-conformance: a Session Manager deployment checked against the specification");

export type ConformanceReport = z.infer<typeof ConformanceReportSchema>;
export type RequirementResult = ConformanceReport["requirements"][number];
export type RequirementVerdict = z.infer<typeof Verdict>;
export type ScenarioSummary = z.infer<typeof ScenarioRef>;
export type EvidenceEntry = z.infer<typeof EvidenceItem>;
export type CheckSummary = z.infer<typeof Check>;
export type ComplianceRef = z.infer<typeof Compliance>;
export type ControlResult = z.infer<typeof Control>;

/** The committed conformance.schema.json, as text. */
export function conformanceJsonSchema(): string {
  const schema = z.toJSONSchema(ConformanceReportSchema, { target: "draft-2020-12" });
  return `${JSON.stringify({ $id: `urn:ssm-conformance:conformance:${SCHEMA_VERSION}`, title: "conformance.json", ...schema }, null, 2)}\n`;
}
