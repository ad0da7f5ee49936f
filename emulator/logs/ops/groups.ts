/** Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, retention, KMS association. */
import { z } from "zod";
import type { OperationHandler } from "../../api/provider";
import { groupAlreadyExists, invalidNextToken, invalidParameter } from "../errors";
import { LogGroupRecord, type LogsNamespace, lowerBoundName, namesWithPrefix } from "../store";
import { decodeOpaqueToken, encodeOpaqueToken } from "../tokens";
import {
  awsEnum,
  awsInt,
  awsList,
  awsString,
  KMS_KEY_ID,
  LOG_GROUP_IDENTIFIER,
  LOG_GROUP_NAME,
  NEXT_TOKEN,
  parseInput,
  TAGS,
} from "../validation";
import {
  groupByName,
  groupNameFromIdentifier,
  groupOperation,
  type LogsRuntime,
  namespaceOf,
  requireGroup,
} from "./runtime";

/** The retention periods AWS accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_GROUP_CLASS = awsEnum(["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"]);

const CreateLogGroupInput = z.object({
  logGroupName: LOG_GROUP_NAME,
  kmsKeyId: KMS_KEY_ID.optional(),
  tags: TAGS.optional(),
  logGroupClass: LOG_GROUP_CLASS.optional(),
  deletionProtectionEnabled: z.boolean().optional(),
});

const GroupNameInput = z.object({ logGroupName: LOG_GROUP_NAME });

const DescribeLogGroupsInput = z.object({
  logGroupNamePrefix: LOG_GROUP_NAME.optional(),
  logGroupNamePattern: awsString({
    max: 512,
    pattern: /^[.\-_/#A-Za-z0-9]*$/,
    patternText: "[\\.\\-_/#A-Za-z0-9]*",
  }).optional(),
  nextToken: NEXT_TOKEN.optional(),
  limit: awsInt({ min: 1, max: 50 }).optional(),
  includeLinkedAccounts: z.boolean().optional(),
  accountIdentifiers: awsList(awsString({ min: 12, max: 12 }), { max: 20 }).optional(),
  logGroupClass: LOG_GROUP_CLASS.optional(),
  logGroupIdentifiers: awsList(LOG_GROUP_IDENTIFIER, { min: 1, max: 50 }).optional(),
});

const PutRetentionPolicyInput = z.object({
  logGroupName: LOG_GROUP_NAME,
  retentionInDays: z
    .number()
    .int()
    .refine((days) => (RETENTION_DAYS as readonly number[]).includes(days), {
      message: `Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
    }),
});

const AssociateKmsKeyInput = z.object({ logGroupName: LOG_GROUP_NAME, kmsKeyId: KMS_KEY_ID });

export function describeGroup(ns: LogsNamespace, g: LogGroupRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    logGroupName: g.name,
    creationTime: g.creationTime,
    metricFilterCount: 0,
    arn: `${ns.groupArn(g.name)}:*`,
    storedBytes: g.storedBytes,
    logGroupArn: ns.groupArn(g.name),
  };
  if (g.retentionInDays !== undefined) out["retentionInDays"] = g.retentionInDays;
  if (g.kmsKeyId !== undefined) out["kmsKeyId"] = g.kmsKeyId;
  return out;
}

export function groupOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    CreateLogGroup(input, ctx) {
      const req = parseInput(CreateLogGroupInput, input, "InvalidParameterException");
      const ns = namespaceOf(rt, ctx);
      if (ns.groups.has(req.logGroupName)) throw groupAlreadyExists();
      const group = new LogGroupRecord(req.logGroupName, rt.now());
      if (req.kmsKeyId !== undefined) group.kmsKeyId = req.kmsKeyId;
      for (const [k, v] of Object.entries(req.tags ?? {})) group.tags.set(k, v);
      ns.addGroup(group);
      return {};
    },

    DeleteLogGroup(input, ctx) {
      const req = parseInput(GroupNameInput, input, "InvalidParameterException");
      const ns = namespaceOf(rt, ctx);
      requireGroup(ns, req.logGroupName);
      ns.deleteGroup(req.logGroupName);
      return {};
    },

    DescribeLogGroups(input, ctx) {
      const req = parseInput(DescribeLogGroupsInput, input, "InvalidParameterException");
      if (req.logGroupNamePrefix !== undefined && req.logGroupNamePattern !== undefined)
        throw invalidParameter(
          "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        );
      const ns = namespaceOf(rt, ctx);
      const limit = req.limit ?? 50;
      let names: readonly string[] = namesWithPrefix(ns.sortedGroupNames(), req.logGroupNamePrefix ?? "");
      const pattern = req.logGroupNamePattern;
      if (pattern) names = names.filter((n) => n.includes(pattern));
      if (req.logGroupIdentifiers) {
        const wanted = new Set<string>();
        for (const id of req.logGroupIdentifiers) {
          try {
            wanted.add(groupNameFromIdentifier(ns, id));
          } catch {
            // an ARN of another account or region: nothing to list here
          }
        }
        names = names.filter((n) => wanted.has(n));
      }
      let start = 0;
      if (req.nextToken !== undefined) {
        const token = decodeOpaqueToken("DescribeLogGroups", req.nextToken);
        if (!token || typeof token["after"] !== "string") throw invalidNextToken();
        const after = token["after"];
        start = lowerBoundName(names, after);
        if (names[start] === after) start++;
      }
      const page = names.slice(start, start + limit);
      const logGroups = page.map((name) => {
        const g = ns.groups.get(name)!;
        if (pattern !== undefined)
          return { logGroupName: g.name, creationTime: g.creationTime, arn: `${ns.groupArn(g.name)}:*` };
        return describeGroup(ns, g);
      });
      const out: Record<string, unknown> = { logGroups };
      if (start + limit < names.length && page.length > 0)
        out["nextToken"] = encodeOpaqueToken("DescribeLogGroups", { after: page[page.length - 1] });
      return out;
    },

    PutRetentionPolicy: groupOperation(rt, PutRetentionPolicyInput, groupByName, (group, req) => {
      group.retentionInDays = req.retentionInDays;
    }),

    DeleteRetentionPolicy: groupOperation(rt, GroupNameInput, groupByName, (group) => {
      group.retentionInDays = undefined;
    }),

    AssociateKmsKey: groupOperation(rt, AssociateKmsKeyInput, groupByName, (group, req) => {
      group.kmsKeyId = req.kmsKeyId;
    }),

    DisassociateKmsKey: groupOperation(rt, GroupNameInput, groupByName, (group) => {
      group.kmsKeyId = undefined;
    }),
  };
}
