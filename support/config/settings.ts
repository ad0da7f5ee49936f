/** The run's settings: cucumber world parameters, validated once, typed for everything downstream. */
import { z } from "zod";

export const TARGET_KINDS = ["embedded", "container", "aws"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const WorldParametersSchema = z
  .object({
    target: z.enum(TARGET_KINDS).default("embedded"),
    region: z.string().min(1).optional(),
    profile: z.string().min(1).optional(),
    instances: z.array(z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/)).default([]),
    instanceTags: z.array(z.string().regex(/^[^=]+=.*$/)).default([]),
    policyPath: z.string().min(1).optional(),
    reportDir: z.string().min(1).default("reports"),
    /** Local targets only: how many configured minutes last one real minute. Default 60. */
    timeScale: z.number().positive().optional(),
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
  return result.data;
}
