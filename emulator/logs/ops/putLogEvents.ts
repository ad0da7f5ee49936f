/**
 * PutLogEvents with the service's real constraints (CloudWatch Logs API reference, PutLogEvents):
 * batch bytes = sum(UTF-8 message bytes + 26) <= 1,048,576; 1..10,000 events; chronological order; a span
 * of at most 24 h; events more than 2 h ahead, more than 14 days old or older than the group's retention
 * are rejected (reported by index) while the rest are stored. The sequence token is ignored.
 */
import { z } from "zod";
import type { OperationHandler } from "../../api/provider";
import { invalidParameter } from "../errors";
import { awsList, awsString, LOG_GROUP_NAME, LOG_STREAM_NAME, parseInput, TIMESTAMP } from "../validation";
import { type LogsRuntime, namespaceOf, requireGroup, requireStream } from "./runtime";

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_SPAN_MS = 24 * 3600_000;
export const MAX_FUTURE_MS = 2 * 3600_000;
export const MAX_AGE_MS = 14 * 86_400_000;
const DAY_MS = 86_400_000;

const PutLogEventsInput = z.object({
  logGroupName: LOG_GROUP_NAME,
  logStreamName: LOG_STREAM_NAME,
  logEvents: awsList(z.object({ timestamp: TIMESTAMP, message: awsString({ min: 1 }) }), {
    min: 1,
    max: MAX_BATCH_EVENTS,
  }),
  sequenceToken: awsString({ min: 1 }).optional(),
  entity: z.record(z.string(), z.unknown()).optional(),
});

export function putLogEventsOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    PutLogEvents(input, ctx) {
      const req = parseInput(PutLogEventsInput, input, "InvalidParameterException");
      const events = req.logEvents;

      let bytes = 0;
      for (const e of events) bytes += Buffer.byteLength(e.message, "utf8") + EVENT_OVERHEAD_BYTES;
      if (bytes > MAX_BATCH_BYTES)
        throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
      for (let i = 1; i < events.length; i++) {
        if (events[i]!.timestamp < events[i - 1]!.timestamp)
          throw invalidParameter(
            "Log events in a single PutLogEvents request must be in chronological order.",
          );
      }
      if (events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_BATCH_SPAN_MS)
        throw invalidParameter(
          "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        );

      const group = requireGroup(namespaceOf(rt, ctx), req.logGroupName);
      const stream = requireStream(group, req.logStreamName);

      const now = rt.now();
      // Sorted input, so each rejected class is a prefix or a suffix of the batch.
      const tooOldBefore = now - MAX_AGE_MS;
      const expiredBefore =
        group.retentionInDays !== undefined ? now - group.retentionInDays * DAY_MS : -Infinity;
      const tooNewAfter = now + MAX_FUTURE_MS;
      let tooOldEnd = 0;
      while (tooOldEnd < events.length && events[tooOldEnd]!.timestamp < tooOldBefore) tooOldEnd++;
      let expiredEnd = 0;
      while (expiredEnd < events.length && events[expiredEnd]!.timestamp < expiredBefore) expiredEnd++;
      let tooNewStart = events.length;
      while (tooNewStart > 0 && events[tooNewStart - 1]!.timestamp > tooNewAfter) tooNewStart--;

      const acceptFrom = Math.max(tooOldEnd, expiredEnd);
      const accepted = acceptFrom < tooNewStart ? events.slice(acceptFrom, tooNewStart) : [];
      rt.store.ingest(stream, accepted, now);

      const token = rt.store.nextSequenceToken();
      stream.uploadSequenceToken = token;
      const out: Record<string, unknown> = { nextSequenceToken: token };
      const rejected: Record<string, number> = {};
      if (tooNewStart < events.length) rejected["tooNewLogEventStartIndex"] = tooNewStart;
      if (tooOldEnd > 0) rejected["tooOldLogEventEndIndex"] = tooOldEnd;
      if (expiredEnd > 0) rejected["expiredLogEventEndIndex"] = expiredEnd;
      if (Object.keys(rejected).length > 0) out["rejectedLogEventsInfo"] = rejected;
      return out;
    },
  };
}
