/**
 * The policy: what the account must meet and the numbers the behaviour scenarios use. Defaults are the
 * PCI DSS profile in policies/pci-dss.yaml; a user's YAML or JSON file overrides any part of it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const DEFAULT_POLICY_PATH = path.resolve(__dirname, "../../policies/pci-dss.yaml");

const minutes = (max: number) => z.number().int().min(1).max(max);

export const PolicySchema = z
  .object({
    name: z.string().min(1),
    preferences: z
      .object({
        maxIdleSessionTimeoutMinutes: minutes(60),
        requireMaxSessionDuration: z.boolean(),
        maxSessionDurationMinutes: minutes(1440),
        requireCloudWatchLogging: z.boolean(),
        requireCloudWatchStreaming: z.boolean(),
        requireLogGroupEncryption: z.boolean(),
        minLogRetentionDays: z.number().int().min(1),
      })
      .strict(),
    commandToLog: z
      .object({
        maxSeconds: z
          .object({
            aws: z.number().positive(),
            container: z.number().positive(),
            embedded: z.number().positive(),
          })
          .strict(),
      })
      .strict(),
    probes: z
      .object({
        idleTimeoutMinutes: minutes(60),
        maxSessionDurationMinutes: minutes(1440),
        closeToleranceSeconds: z.number().positive(),
      })
      .strict(),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;

export interface LoadedPolicy {
  policy: Policy;
  path: string;
  /** SHA-256 of the file as read, for the report's run metadata. */
  sha256: string;
}

export class PolicyError extends Error {}

/** Loads a policy file (YAML or JSON); parts it leaves out come from the default policy. */
export function loadPolicy(file = DEFAULT_POLICY_PATH): LoadedPolicy {
  const defaults = parseFile(DEFAULT_POLICY_PATH);
  const own = file === DEFAULT_POLICY_PATH ? defaults : parseFile(file);
  const merged = deepMerge(defaults, own);
  const result = PolicySchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PolicyError(`policy ${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return {
    policy: result.data,
    path: path.resolve(file),
    sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
  };
}

function parseFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PolicyError(
      `cannot read policy ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PolicyError(
      `policy ${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
