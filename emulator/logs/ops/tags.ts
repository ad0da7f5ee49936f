/** Log group tags: TagResource/UntagResource/ListTagsForResource and the older *LogGroup forms. */
import { z } from "zod";
import { AwsServiceError, type OperationHandler } from "../../api/provider";
import { groupNotFound } from "../errors";
import type { LogGroupRecord, LogsNamespace } from "../store";
import { awsList, awsString, LOG_GROUP_NAME, TAG_KEY, TAGS } from "../validation";
import {
  groupByName,
  groupNameFromIdentifier,
  groupOperation,
  type LogsRuntime,
  requireGroup,
} from "./runtime";

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

function groupByArn(ns: LogsNamespace, req: { resourceArn: string }): LogGroupRecord {
  const arn = req.resourceArn;
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

function removeTags(group: LogGroupRecord, keys: readonly string[]): void {
  for (const k of keys) group.tags.delete(k);
}

function listTags(group: LogGroupRecord): { tags: Record<string, string> } {
  return { tags: Object.fromEntries(group.tags) };
}

/** The older *LogGroup forms name the group; the *Resource forms give its ARN. The effect is the same. */
export function tagOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    TagLogGroup: groupOperation(rt, TagLogGroupInput, groupByName, (group, req) => addTags(group, req.tags)),
    UntagLogGroup: groupOperation(rt, UntagLogGroupInput, groupByName, (group, req) =>
      removeTags(group, req.tags),
    ),
    ListTagsLogGroup: groupOperation(rt, ListTagsLogGroupInput, groupByName, listTags),
    TagResource: groupOperation(rt, TagResourceInput, groupByArn, (group, req) => addTags(group, req.tags)),
    UntagResource: groupOperation(rt, UntagResourceInput, groupByArn, (group, req) =>
      removeTags(group, req.tagKeys),
    ),
    ListTagsForResource: groupOperation(rt, ListTagsForResourceInput, groupByArn, listTags),
  };
}
