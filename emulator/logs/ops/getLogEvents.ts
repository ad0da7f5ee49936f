/**
 * GetLogEvents: one stream, read forward or backward with `f/…` and `b/…` tokens.
 *
 * A token marks a position between events: `f/K` reads the events after key K, `b/K` the events before it.
 * The time range is applied on every call (startTime inclusive, endTime exclusive) and the page is taken
 * from the head of the remaining range when `startFromHead` is true, from its tail otherwise (default), as
 * AWS does: that is why a forward token must be used with `startFromHead: true`, or pages get skipped. When
 * no event is left in the token's direction, the same token comes back.
 */
import { z } from "zod";
import type { OperationHandler } from "../../api/provider";
import { invalidNextToken } from "../errors";
import type { EventLog } from "../store";
import { decodeStreamToken, encodeStreamToken } from "../tokens";
import {
  awsInt,
  LOG_GROUP_IDENTIFIER,
  LOG_GROUP_NAME,
  LOG_STREAM_NAME,
  NEXT_TOKEN,
  parseInput,
  TIMESTAMP,
} from "../validation";
import { EVENT_OVERHEAD_BYTES } from "./putLogEvents";
import { type LogsRuntime, namespaceOf, requireStream, resolveGroup } from "./runtime";

export const MAX_RESPONSE_BYTES = 1_048_576;
export const MAX_EVENTS_PER_RESPONSE = 10_000;

const GetLogEventsInput = z.object({
  logGroupName: LOG_GROUP_NAME.optional(),
  logGroupIdentifier: LOG_GROUP_IDENTIFIER.optional(),
  logStreamName: LOG_STREAM_NAME,
  startTime: TIMESTAMP.optional(),
  endTime: TIMESTAMP.optional(),
  nextToken: NEXT_TOKEN.optional(),
  limit: awsInt({ min: 1, max: MAX_EVENTS_PER_RESPONSE }).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

export function getLogEventsOperations(rt: LogsRuntime): Record<string, OperationHandler> {
  return {
    GetLogEvents(input, ctx) {
      const req = parseInput(GetLogEventsInput, input, "InvalidParameterException");
      const token = req.nextToken !== undefined ? decodeStreamToken(req.nextToken) : undefined;
      if (req.nextToken !== undefined && !token) throw invalidNextToken();
      const group = resolveGroup(namespaceOf(rt, ctx), req);
      const log = requireStream(group, req.logStreamName).events;

      let lo = req.startTime !== undefined ? log.firstAtOrAfter(req.startTime) : 0;
      let hi = req.endTime !== undefined ? log.firstAtOrAfter(req.endTime) : log.length;
      if (token?.direction === "f") lo = Math.max(lo, log.upperBound(token.key.timestamp, token.key.id));
      if (token?.direction === "b") hi = Math.min(hi, log.lowerBound(token.key.timestamp, token.key.id));

      const [first, last] = takePage(
        log,
        lo,
        hi,
        req.limit ?? MAX_EVENTS_PER_RESPONSE,
        req.startFromHead === true,
      );
      const events: { timestamp: number; message: string; ingestionTime: number }[] = [];
      for (let i = first; i < last; i++)
        events.push({
          timestamp: log.timestampAt(i),
          message: log.messageAt(i),
          ingestionTime: log.ingestionTimeAt(i),
        });

      let nextForwardToken: string;
      let nextBackwardToken: string;
      if (last > first) {
        nextForwardToken = encodeStreamToken("f", {
          timestamp: log.timestampAt(last - 1),
          id: log.idAt(last - 1),
        });
        nextBackwardToken = encodeStreamToken("b", {
          timestamp: log.timestampAt(first),
          id: log.idAt(first),
        });
      } else if (token?.direction === "f") {
        nextForwardToken = req.nextToken!;
        nextBackwardToken = encodeStreamToken("b", { timestamp: token.key.timestamp, id: token.key.id + 1 });
      } else if (token?.direction === "b") {
        nextBackwardToken = req.nextToken!;
        nextForwardToken = encodeStreamToken("f", {
          timestamp: token.key.timestamp,
          id: Math.max(token.key.id - 1, 0),
        });
      } else {
        nextForwardToken = encodeStreamToken("f", { timestamp: 0, id: 0 });
        nextBackwardToken = encodeStreamToken("b", { timestamp: 0, id: 0 });
      }
      return { events, nextForwardToken, nextBackwardToken };
    },
  };
}

/** The index range [first, last) of one page within [lo, hi), bounded by count and response bytes. */
function takePage(log: EventLog, lo: number, hi: number, limit: number, fromHead: boolean): [number, number] {
  if (hi <= lo) return [lo, lo];
  let bytes = 0;
  if (fromHead) {
    let i = lo;
    while (i < hi && i - lo < limit) {
      const size = Buffer.byteLength(log.messageAt(i), "utf8") + EVENT_OVERHEAD_BYTES;
      if (bytes + size > MAX_RESPONSE_BYTES && i > lo) break;
      bytes += size;
      i++;
    }
    return [lo, i];
  }
  let i = hi;
  while (i > lo && hi - i < limit) {
    const size = Buffer.byteLength(log.messageAt(i - 1), "utf8") + EVENT_OVERHEAD_BYTES;
    if (bytes + size > MAX_RESPONSE_BYTES && i < hi) break;
    bytes += size;
    i--;
  }
  return [i, hi];
}
