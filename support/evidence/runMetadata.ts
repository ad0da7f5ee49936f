/**
 * Run metadata: where the run happened (the target), as whom (the caller), against what (the policy) and
 * with which harness. Gathered once per worker in BeforeAll and attached by the worker's first scenario
 * (cucumber 12 gives BeforeAll no `attach`), so the reports are still built from the message stream alone.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { LoadedPolicy } from "../config/policy";
import type { TargetDescription } from "../targets/target";
import type { Attach } from "./evidence";

export const RUN_METADATA_MEDIA_TYPE = "application/vnd.ssm-conformance.run+json";

export interface RunMetadata {
  harnessVersion: string;
  target: TargetDescription;
  caller: { accountId: string; arn: string };
  policy: { name: string; path: string; sha256: string };
}

/** The caller is the one the target read (sts:GetCallerIdentity) when it started. */
export function describeRun(description: TargetDescription, policy: LoadedPolicy): RunMetadata {
  return {
    harnessVersion: harnessVersion(),
    target: description,
    caller: { accountId: description.accountId, arn: description.callerArn },
    policy: { name: policy.policy.name, path: policy.path, sha256: policy.sha256 },
  };
}

export async function attachRunMetadata(attach: Attach, metadata: RunMetadata): Promise<void> {
  await attach(JSON.stringify(metadata), RUN_METADATA_MEDIA_TYPE);
}

export function harnessVersion(): string {
  return JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")).version;
}
