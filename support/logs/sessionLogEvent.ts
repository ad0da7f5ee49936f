/**
 * The streamed session log event (spec 13.3): the JSON object the agent puts in each CloudWatch event's
 * message when `cloudWatchStreamingEnabled` is true. Parsing lists every problem at once, so a report can
 * say exactly what is wrong with an event instead of stopping at the first defect.
 */
import { z } from "zod";

/** The agent's second-precision UTC form, e.g. `2024-10-21T18:08:11Z` (Go `time.RFC3339` of a UTC time). */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** True for a real instant in that form (the round trip rejects e.g. February 30 or hour 24). */
function isEventTime(value: string): boolean {
  if (!EVENT_TIME.test(value)) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === `${value.slice(0, -1)}.000Z`;
}

export const SessionLogEvent = z.object({
  eventVersion: z.literal("1.0"),
  eventTime: z.string().refine(isEventTime, {
    message: "expected RFC 3339 UTC with second precision (YYYY-MM-DDTHH:MM:SSZ)",
  }),
  awsRegion: z.string(),
  target: z.object({ id: z.string() }),
  userIdentity: z.object({ arn: z.string() }),
  // Empty when the agent runs in a container (spec 13.3), so no minimum length.
  runAsUser: z.string(),
  sessionId: z.string(),
  sessionData: z.array(z.string()),
});
export type SessionLogEvent = z.infer<typeof SessionLogEvent>;

/** The top-level keys in the order the agent emits them (Go marshals struct fields in declaration order). */
export const SESSION_LOG_EVENT_KEYS = Object.keys(SessionLogEvent.shape) as (keyof SessionLogEvent)[];

export type ParsedSessionLogEvent = { ok: true; event: SessionLogEvent } | { ok: false; problems: string[] };

/** Decodes one event message and validates it; on failure, one problem per defect, each naming its field. */
export function parseSessionLogEvent(message: string): ParsedSessionLogEvent {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch (error) {
    return { ok: false, problems: [`message is not JSON: ${(error as Error).message}`] };
  }
  return validateSessionLogEvent(value);
}

/** As `parseSessionLogEvent`, for an already decoded value. */
export function validateSessionLogEvent(value: unknown): ParsedSessionLogEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, problems: [`message is not a JSON object: got ${describe(value)}`] };
  }
  const result = SessionLogEvent.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, problems: result.error.issues.map(describeIssue) };
}

/**
 * The key-order finding for an event message: undefined when the known keys appear in the agent's order,
 * else a sentence naming both orders. Kept apart from parsing: consumers that decode JSON do not care,
 * but a deviation shows the events were not produced the way the agent produces them.
 * Unknown keys are ignored here (parsing does not reject them either); a message that is not a JSON
 * object yields undefined, as parsing already reports it.
 */
export function checkKeyOrder(message: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const known = new Set<string>(SESSION_LOG_EVENT_KEYS);
  // JSON.parse keeps the text's order for non-numeric keys, which all of these are.
  const actual = Object.keys(value).filter((key) => known.has(key));
  const expected = SESSION_LOG_EVENT_KEYS.filter((key) => key in value);
  if (actual.every((key, i) => key === expected[i])) return undefined;
  return `keys in order ${actual.join(", ")}; the agent emits ${expected.join(", ")}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = formatPath(issue.path);
  // JSON has no undefined: an undefined input is an absent key.
  if (issue.input === undefined) return `${field}: missing`;
  const got = `got ${describe(issue.input)}`;
  switch (issue.code) {
    case "invalid_type":
      return `${field}: expected ${issue.expected}, ${got}`;
    case "invalid_value":
      return `${field}: expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, ${got}`;
    default:
      return `${field}: ${issue.message}, ${got}`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${typeof value} ${String(value)}`;
}
