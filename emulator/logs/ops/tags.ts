/** Log group tags: TagResource/UntagResource/ListTagsForResource and the older *LogGroup forms. */
import { z } from "zod";
import { AwsServiceError, type OperationHandler } from "../../api/provider";
import { groupNotFound } from "../errors";
import type { LogGroupRecord, LogsNamespace } from "../store";
import { awsList, awsString, LOG_GROUP_NAME, parseInput, TAG_KEY, TAGS } from "../validation";
import { groupNameFromIdentifier, type LogsRuntime, namespaceOf, requireGroup } from "./runtime";

const MAX_TAGS = 50;
const RESOURCE_ARN = awsString({
  min: 1,
  max: 1011,
  pattern: /^[\w+=/:,.@\-*]*$/,
  patternText: "[\\w+=/:,.@\\-\\*]*",
});

const TagLogGroupInput = z.object({ logGroupName: LOG_GROUP_NAME, tags: TAGS });
const UntagLogGroupInput = z.object({ logGroupName: LOG_GROUP_NAME, tags: awsList(TAG_KEY, { min: 1 }) });
const ListTagsLogGroupInput = z.object({ logGroupName: LOG_GROUP_NAME });
const TagResourceInput = z.object({ resourceArn: RESOURCE_ARN, tags: TAGS });
const UntagResourceInput = z.object({
  resourceArn: RESOURCE_ARN,
  tagKeys: awsList(TAG_KEY, { min: 0, max: 50 }),
});
const ListTagsForResourceInput = z.object({ resourceArn: RESOURCE_ARN });

function groupByArn(ns: LogsNamespace, arn: string): LogGroupRecord {
  if (!arn.startsWith("arn:") || !/:log-group:[^:]+$/.test(arn)) throw groupNotFound();
  return requireGroup(ns, groupNameFromIdentifier(ns, arn));
}

function addTags(group: LogGroupRecord, tags: Record<string, string>): void {
  const merged = new Map(group.tags);
  for (const [k, v] of Object.entries(tags)) merged.set(k, v);
  if (merged.size > MAX_TAGS)
    throw new AwsServiceError("TooManyTagsException", `A resource can have no more than ${MAX_TAGS} tags.`);
  for (const [k, v] of Object.entries(tags)) group.tags.set(k, v);
}

export function tagOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    TagLogGroup(input, ctx) {
      const req = parseInput(TagLogGroupInput, input, "InvalidParameterException");
      addTags(requireGroup(namespaceOf(rt, ctx), req.logGroupName), req.tags);
      return {};
    },
    UntagLogGroup(input, ctx) {
      const req = parseInput(UntagLogGroupInput, input, "InvalidParameterException");
      const group = requireGroup(namespaceOf(rt, ctx), req.logGroupName);
      for (const k of req.tags) group.tags.delete(k);
      return {};
    },
    ListTagsLogGroup(input, ctx) {
      const req = parseInput(ListTagsLogGroupInput, input, "InvalidParameterException");
      const group = requireGroup(namespaceOf(rt, ctx), req.logGroupName);
      return { tags: Object.fromEntries(group.tags) };
    },
    TagResource(input, ctx) {
      const req = parseInput(TagResourceInput, input, "InvalidParameterException");
      addTags(groupByArn(namespaceOf(rt, ctx), req.resourceArn), req.tags);
      return {};
    },
    UntagResource(input, ctx) {
      const req = parseInput(UntagResourceInput, input, "InvalidParameterException");
      const group = groupByArn(namespaceOf(rt, ctx), req.resourceArn);
      for (const k of req.tagKeys) group.tags.delete(k);
      return {};
    },
    ListTagsForResource(input, ctx) {
      const req = parseInput(ListTagsForResourceInput, input, "InvalidParameterException");
      const group = groupByArn(namespaceOf(rt, ctx), req.resourceArn);
      return { tags: Object.fromEntries(group.tags) };
    },
  };
}
