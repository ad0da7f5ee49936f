/** The run's settings: cucumber world parameters, validated once, typed for everything downstream. */
import { z } from "zod";
import { FaultSpecError, parseFaultSpec } from "../../emulator/faults";

export const TARGET_KINDS = ["embedded", "container", "aws"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** The agent of the container target: the emulator's own, or the official amazon-ssm-agent. */
export const AGENT_KINDS = ["emulator", "amazon"] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export const WorldParametersSchema = z
  .object({
    target: z.enum(TARGET_KINDS).default("embedded"),
    region: z.string().min(1).optional(),
    profile: z.string().min(1).optional(),
    instances: z.array(z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/)).default([]),
    instanceTags: z.array(z.string().regex(/^[^=]+=.*$/)).default([]),
    /** aws: existing log groups for the behaviour scenarios, besides the one the preferences name. */
    logGroups: z.array(z.string().min(1).max(512)).default([]),
    /** The `@needs:` capabilities of the selected scenarios, when the CLI worked them out (the preflight
     * then checks only those); absent: all. */
    needs: z.array(z.string().min(1)).optional(),
    policyPath: z.string().min(1).optional(),
    reportDir: z.string().min(1).default("reports"),
    /** Local targets only: how many configured minutes last one real minute. Default 60. */
    timeScale: z.number().positive().optional(),
    /** Local targets only: run the emulator non-conformant on purpose with this fault profile
     * (`name` or `name:key=value,...`, emulator/faults). The self-test uses it. */
    fault: z.string().min(1).optional(),
    /** Embedded target only: the stack serves https/wss with its own CA, and the clients trust it. */
    tls: z.boolean().optional(),
    /** Container target only: which agent runs in the container. Default emulator. */
    agent: z.enum(AGENT_KINDS).default("emulator"),
  })
  .strict();

export type Settings = z.infer<typeof WorldParametersSchema>;

export class SettingsError extends Error {}

export function parseSettings(parameters: unknown): Settings {
  const result = WorldParametersSchema.safeParse(parameters ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SettingsError(`world parameter ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  if (result.data.target === "aws" && result.data.timeScale !== undefined) {
    throw new SettingsError("--time-scale applies to local targets only; AWS runs on real time");
  }
  if (result.data.tls && result.data.target !== "embedded") {
    throw new SettingsError("tls applies to the embedded target only");
  }
  if (result.data.agent !== "emulator" && result.data.target !== "container") {
    throw new SettingsError("--agent applies to --target container only");
  }
  if (result.data.fault !== undefined) {
    if (result.data.target === "aws") {
      throw new SettingsError("fault profiles apply to local targets only; AWS is what it is");
    }
    try {
      parseFaultSpec(result.data.fault);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new SettingsError(`world parameter fault: ${error.message}`);
      throw error;
    }
  }
  return result.data;
}
