/**
 * The fault profiles, by name, and how a stack takes one on: `startStack({ fault: "slow-logs" })`,
 * `npm run stack -- --fault slow-logs:delayMs=20000`, or the harness's `--fault` (embedded target).
 * README.md in this folder describes each profile.
 */
import type { PipelineHooks } from "../agent/logging/uploader";
import { accountProfiles } from "./account";
import { agentProfiles } from "./agent";
import { logProfiles } from "./logs";
import { serviceProfiles } from "./service";
import type { ActiveFault, FaultParams, FaultProfile } from "./types";

export type * from "./types";

/** Every profile, in the order the self-test and the README list them. */
export const FAULT_PROFILES: readonly FaultProfile[] = [
  ...serviceProfiles,
  ...agentProfiles,
  ...logProfiles,
  ...accountProfiles,
];

/** Controls run with a profile when it names none: a started session is listed, owned by the caller. */
export const DEFAULT_CONTROLS: readonly string[] = ["LIFE-01"];

export class FaultSpecError extends Error {
  override readonly name = "FaultSpecError";
}

export function faultProfile(name: string): FaultProfile | undefined {
  return FAULT_PROFILES.find((p) => p.name === name);
}

export function controlsOf(profile: FaultProfile): readonly string[] {
  return profile.controls ?? DEFAULT_CONTROLS;
}

/** A profile as given on a command line: `name` or `name:key=value,key=value` (numbers only). */
export interface FaultSpec {
  name: string;
  params?: Record<string, number>;
}

/** Parses and checks `name[:key=value,...]`; throws FaultSpecError with one line naming the problem. */
export function parseFaultSpec(text: string): FaultSpec {
  const [name = "", rest] = splitOnce(text.trim(), ":");
  const profile = faultProfile(name);
  if (!profile) {
    throw new FaultSpecError(
      `unknown fault profile "${name}"; the profiles are ${FAULT_PROFILES.map((p) => p.name).join(", ")}`,
    );
  }
  const params: Record<string, number> = {};
  for (const pair of rest ? rest.split(",") : []) {
    const [key = "", raw] = splitOnce(pair.trim(), "=");
    if (!profile.params || !(key in profile.params)) {
      const known = Object.keys(profile.params ?? {});
      throw new FaultSpecError(
        `fault profile ${name} has no parameter "${key}"${known.length ? ` (it has ${known.join(", ")})` : " (it takes none)"}`,
      );
    }
    const value = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new FaultSpecError(`fault parameter ${name}:${key} must be a number >= 0, got "${raw ?? ""}"`);
    }
    params[key] = value;
  }
  return { name, params };
}

/** Builds the hooks of a profile for one stack. */
export function activateFault(spec: string | FaultSpec): ActiveFault {
  const parsed = typeof spec === "string" ? parseFaultSpec(spec) : checked(spec);
  const profile = faultProfile(parsed.name)!;
  const params: FaultParams = { ...profile.params, ...parsed.params };
  const overrides = Object.entries(parsed.params ?? {}).map(([k, v]) => `${k}=${v}`);
  return {
    profile,
    params,
    hooks: profile.create(params),
    label: overrides.length ? `${profile.name}:${overrides.join(",")}` : profile.name,
  };
}

/** The caller's log hooks and the fault's together: the caller's transform runs first. */
export function composeLogHooks(
  own: PipelineHooks | undefined,
  fault: PipelineHooks | undefined,
): PipelineHooks | undefined {
  if (!own) return fault;
  if (!fault) return own;
  const first = own.transformBatch;
  const second = fault.transformBatch;
  return {
    ...fault,
    ...own,
    keepAnsi: own.keepAnsi ?? fault.keepAnsi,
    transformBatch:
      first && second
        ? async (events, context) => second(await first(events, context), context)
        : (first ?? second),
  };
}

function checked(spec: FaultSpec): FaultSpec {
  const text = [
    spec.name,
    Object.entries(spec.params ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  ]
    .filter(Boolean)
    .join(":");
  return parseFaultSpec(text);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
