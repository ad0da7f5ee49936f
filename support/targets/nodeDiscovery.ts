/**
 * Choosing the managed node the aws target's sessions run on: the one `--instance` names, or one found by
 * `--instance-tag Key=Value` through DescribeInstanceInformation (`tag:Key` filters). A node is usable when
 * its PingStatus is Online, its PlatformType is Linux (the steps drive a POSIX shell) and
 * GetConnectionStatus says `connected`. The target never picks a node without being told which.
 */
import {
  DescribeInstanceInformationCommand,
  GetConnectionStatusCommand,
  type InstanceInformation,
  type InstanceInformationStringFilter,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { isAccessDenied, PermissionDenied } from "./awsErrors";

export interface NodeSelection {
  /** Instance ids, in order of preference. */
  instances: readonly string[];
  /** `Key=Value`; a node must carry every one. */
  instanceTags: readonly string[];
  region: string;
}

export interface NodeCandidate {
  instanceId: string;
  pingStatus?: string;
  platformType?: string;
  platformName?: string;
  agentVersion?: string;
  /** Why it is not used; absent for usable nodes. */
  rejected?: string;
  chosen?: boolean;
}

export interface SelectedNode {
  nodeId: string;
  agentVersion?: string;
  /** e.g. "Amazon Linux 2023" */
  platform?: string;
  /** What was asked for, for the report: "instance i-..." or "a node tagged Env=qa". */
  selectedBy: string;
  /** Every node looked at, the chosen one marked, the others with why they were not used. */
  candidates: NodeCandidate[];
}

export class NoUsableNodeError extends Error {}

export async function selectNode(ssm: SSMClient, selection: NodeSelection): Promise<SelectedNode> {
  const { instances, instanceTags, region } = selection;
  if (instances.length === 0 && instanceTags.length === 0) {
    throw new NoUsableNodeError(
      "no managed node selected: give --instance <id> or --instance-tag Key=Value (the aws target never picks a node on its own)",
    );
  }
  const selectedBy = describeSelection(selection);
  const listed = await describeInstances(ssm, [
    ...(instances.length > 0 ? [{ Key: "InstanceIds", Values: [...instances] }] : []),
    ...instanceTags.map((tag) => {
      const at = tag.indexOf("=");
      return { Key: `tag:${tag.slice(0, at)}`, Values: [tag.slice(at + 1)] };
    }),
  ]);
  const byId = new Map(listed.map((info) => [info.InstanceId!, info]));
  const order = instances.length > 0 ? [...instances] : [...byId.keys()].sort();
  const candidates: NodeCandidate[] = order.map((instanceId) => {
    const info = byId.get(instanceId);
    if (!info) {
      return {
        instanceId,
        rejected:
          instanceTags.length > 0
            ? `not a managed node in ${region} with the tags ${instanceTags.join(", ")}`
            : `not a managed node in ${region} (not registered with Systems Manager, stopped, or in another region or account)`,
      };
    }
    return { ...describeNode(info), rejected: staticRejection(info) };
  });

  let chosen: NodeCandidate | undefined;
  for (const candidate of candidates) {
    if (candidate.rejected) continue;
    const status = await connectionStatus(ssm, candidate.instanceId);
    if (status !== "connected") {
      candidate.rejected = `GetConnectionStatus says ${status ?? "nothing"}`;
      continue;
    }
    candidate.chosen = true;
    chosen = candidate;
    break;
  }
  if (!chosen) {
    const rejected = candidates.map((c) => `${c.instanceId} (${c.rejected})`).join(", ");
    throw new NoUsableNodeError(
      `no usable managed node in ${region}: looked for ${selectedBy} with DescribeInstanceInformation ` +
        `(needs PingStatus Online, PlatformType Linux, GetConnectionStatus connected); ` +
        (rejected ? `rejected ${rejected}` : "no managed node matches"),
    );
  }
  return {
    nodeId: chosen.instanceId,
    agentVersion: chosen.agentVersion,
    platform: chosen.platformName,
    selectedBy,
    candidates,
  };
}

function describeSelection({ instances, instanceTags }: NodeSelection): string {
  const tags = instanceTags.join(" and ");
  const ids = instances.length === 1 ? `instance ${instances[0]}` : `instances ${instances.join(", ")}`;
  if (instances.length > 0) return tags ? `${ids} tagged ${tags}` : ids;
  return `a node tagged ${tags}`;
}

function describeNode(info: InstanceInformation): NodeCandidate {
  return {
    instanceId: info.InstanceId!,
    pingStatus: info.PingStatus,
    platformType: info.PlatformType,
    platformName: [info.PlatformName, info.PlatformVersion].filter(Boolean).join(" ") || undefined,
    agentVersion: info.AgentVersion,
  };
}

function staticRejection(info: InstanceInformation): string | undefined {
  if (info.PingStatus !== "Online") return `PingStatus ${info.PingStatus ?? "unknown"}`;
  if (info.PlatformType !== "Linux") {
    return `PlatformType ${info.PlatformType ?? "unknown"}: the spec's steps need a Linux shell`;
  }
  return undefined;
}

async function describeInstances(
  ssm: SSMClient,
  filters: InstanceInformationStringFilter[],
): Promise<InstanceInformation[]> {
  const all: InstanceInformation[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ssm.send(
        new DescribeInstanceInformationCommand({ Filters: filters, MaxResults: 50, NextToken: nextToken }),
      );
      all.push(...(page.InstanceInformationList ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    if (isAccessDenied(error)) throw new PermissionDenied("ssm:DescribeInstanceInformation", error);
    throw error;
  }
  return all;
}

async function connectionStatus(ssm: SSMClient, target: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetConnectionStatusCommand({ Target: target }))).Status;
  } catch (error) {
    if (isAccessDenied(error)) throw new PermissionDenied("ssm:GetConnectionStatus", error);
    throw error;
  }
}
