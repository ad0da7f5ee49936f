/** Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams. */
import { z } from "zod";
import type { OperationHandler } from "../../api/provider";
import { invalidNextToken, invalidParameter, streamAlreadyExists } from "../errors";
import {
  asciiCompare,
  type LogGroupRecord,
  LogStreamRecord,
  type LogsNamespace,
  lowerBoundName,
} from "../store";
import { decodeOpaqueToken, encodeOpaqueToken } from "../tokens";
import {
  awsEnum,
  awsInt,
  LOG_GROUP_IDENTIFIER,
  LOG_GROUP_NAME,
  LOG_STREAM_NAME,
  NEXT_TOKEN,
  parseInput,
} from "../validation";
import { type LogsRuntime, namespaceOf, requireGroup, requireStream, resolveGroup } from "./runtime";

const StreamInput = z.object({ logGroupName: LOG_GROUP_NAME, logStreamName: LOG_STREAM_NAME });

const DescribeLogStreamsInput = z.object({
  logGroupName: LOG_GROUP_NAME.optional(),
  logGroupIdentifier: LOG_GROUP_IDENTIFIER.optional(),
  logStreamNamePrefix: LOG_STREAM_NAME.optional(),
  orderBy: awsEnum(["LogStreamName", "LastEventTime"]).optional(),
  descending: z.boolean().optional(),
  nextToken: NEXT_TOKEN.optional(),
  limit: awsInt({ min: 1, max: 50 }).optional(),
});

export function describeStream(ns: LogsNamespace, group: LogGroupRecord, s: LogStreamRecord) {
  const out: Record<string, unknown> = { logStreamName: s.name, creationTime: s.creationTime };
  if (s.firstEventTimestamp !== undefined) out["firstEventTimestamp"] = s.firstEventTimestamp;
  if (s.lastEventTimestamp !== undefined) out["lastEventTimestamp"] = s.lastEventTimestamp;
  if (s.lastIngestionTime !== undefined) out["lastIngestionTime"] = s.lastIngestionTime;
  out["uploadSequenceToken"] = s.uploadSequenceToken;
  out["arn"] = ns.streamArn(group.name, s.name);
  // Deprecated for streams: AWS has reported zero since June 2019.
  out["storedBytes"] = 0;
  return out;
}

export function streamOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    CreateLogStream(input, ctx) {
      const req = parseInput(StreamInput, input, "InvalidParameterException");
      const group = requireGroup(namespaceOf(rt, ctx), req.logGroupName);
      if (group.streams.has(req.logStreamName)) throw streamAlreadyExists();
      group.addStream(new LogStreamRecord(req.logStreamName, rt.now(), rt.store.nextSequenceToken()));
      return {};
    },

    DeleteLogStream(input, ctx) {
      const req = parseInput(StreamInput, input, "InvalidParameterException");
      const group = requireGroup(namespaceOf(rt, ctx), req.logGroupName);
      requireStream(group, req.logStreamName);
      group.deleteStream(req.logStreamName);
      return {};
    },

    DescribeLogStreams(input, ctx) {
      const req = parseInput(DescribeLogStreamsInput, input, "InvalidParameterException");
      const byTime = req.orderBy === "LastEventTime";
      if (byTime && req.logStreamNamePrefix !== undefined)
        throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      const ns = namespaceOf(rt, ctx);
      const group = resolveGroup(ns, req);
      const limit = req.limit ?? 50;
      const descending = req.descending === true;

      if (byTime) {
        const all = [...group.streams.values()].sort(
          (a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || asciiCompare(a.name, b.name),
        );
        if (descending) all.reverse();
        let offset = 0;
        if (req.nextToken !== undefined) {
          const token = decodeOpaqueToken("DescribeLogStreams/time", req.nextToken);
          if (!token || !Number.isSafeInteger(token["offset"])) throw invalidNextToken();
          offset = token["offset"] as number;
        }
        const page = all.slice(offset, offset + limit);
        const out: Record<string, unknown> = { logStreams: page.map((s) => describeStream(ns, group, s)) };
        if (offset + limit < all.length)
          out["nextToken"] = encodeOpaqueToken("DescribeLogStreams/time", { offset: offset + limit });
        return out;
      }

      let names = group.streamsWithPrefix(req.logStreamNamePrefix ?? "").map((s) => s.name);
      if (descending) names = names.reverse();
      let start = 0;
      if (req.nextToken !== undefined) {
        const token = decodeOpaqueToken("DescribeLogStreams/name", req.nextToken);
        if (!token || typeof token["after"] !== "string") throw invalidNextToken();
        const after = token["after"];
        if (descending) {
          // names is descending: skip every name >= after
          const ascending = [...names].reverse();
          start = names.length - lowerBoundName(ascending, after);
        } else {
          start = lowerBoundName(names, after);
          if (names[start] === after) start++;
        }
      }
      const page = names.slice(start, start + limit);
      const out: Record<string, unknown> = {
        logStreams: page.map((n) => describeStream(ns, group, group.streams.get(n)!)),
      };
      if (start + limit < names.length && page.length > 0)
        out["nextToken"] = encodeOpaqueToken("DescribeLogStreams/name", { after: page[page.length - 1] });
      return out;
    },
  };
}
