/**
 * Compliance mapping: a scenario's `@pci:<id>` and `@nist:<id>` tags name the framework controls its
 * requirement supports (peers-and-references.md, section B). The view by control says, per control, whether
 * every requirement mapped to it passed.
 */
import type { ComplianceRef, ControlResult, RequirementResult } from "./schema";

interface Framework {
  tag: string;
  framework: string;
  version: string;
  titles: Record<string, string>;
}

const FRAMEWORKS: readonly Framework[] = [
  {
    tag: "@pci:",
    framework: "PCI DSS",
    version: "v4.0.1",
    titles: {
      "8.2.8": "Re-authenticate after more than 15 minutes idle",
      "10.2.1": "Audit logs are enabled and active",
      "10.2.2": "Audit records capture user, event, time, outcome, origin and resource",
      "10.3.2": "Audit log files are protected from modification",
      "10.3.3": "Audit logs are promptly backed up to a central store",
      "10.5.1": "Audit log history is retained for at least 12 months",
    },
  },
  {
    tag: "@nist:",
    framework: "NIST SP 800-53",
    version: "Rev. 5",
    titles: {
      "AC-11": "Device Lock",
      "AC-12": "Session Termination",
      "AU-2": "Event Logging",
      "AU-3": "Content of Audit Records",
      "AU-9": "Protection of Audit Information",
      "AU-11": "Audit Record Retention",
      "AU-12": "Audit Record Generation",
      "SC-8": "Transmission Confidentiality and Integrity",
      "SC-10": "Network Disconnect",
    },
  },
];

/** The controls a set of tags maps to, in framework then tag order, without duplicates. */
export function complianceOf(tags: readonly string[]): ComplianceRef[] {
  return FRAMEWORKS.flatMap(({ tag, framework, version, titles }) =>
    [...new Set(tags.filter((t) => t.startsWith(tag)).map((t) => t.slice(tag.length)))].map((control) => ({
      framework,
      version,
      control,
      title: titles[control] ?? null,
    })),
  );
}

export interface FrameworkView {
  framework: string;
  version: string;
  controls: ControlResult[];
}

/** Requirements grouped by the controls they map to; frameworks and controls in a stable order. */
export function complianceView(requirements: readonly RequirementResult[]): FrameworkView[] {
  return FRAMEWORKS.flatMap(({ framework, version }) => {
    const byControl = new Map<string, ControlResult>();
    for (const requirement of requirements) {
      for (const ref of requirement.compliance.filter((c) => c.framework === framework)) {
        const control = byControl.get(ref.control) ?? {
          control: ref.control,
          title: ref.title,
          status: "not tested" as const,
          requirements: [],
        };
        control.requirements.push({ id: requirement.id, verdict: requirement.verdict });
        byControl.set(ref.control, control);
      }
    }
    const controls = [...byControl.values()]
      .map((c) => ({ ...c, status: controlStatus(c.requirements.map((r) => r.verdict)) }))
      .sort((a, b) => compareControls(a.control, b.control));
    return controls.length > 0 ? [{ framework, version, controls }] : [];
  });
}

function controlStatus(verdicts: readonly string[]): ControlResult["status"] {
  if (verdicts.some((v) => v === "fail" || v === "error")) return "failed";
  const passed = verdicts.filter((v) => v === "pass").length;
  if (passed === verdicts.length) return "met";
  return passed > 0 ? "partial" : "not tested";
}

/** "8.2.8" before "10.2.1", "AC-2" before "AC-11": numeric parts compare as numbers. */
function compareControls(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
