/**
 * Faults of the agent's log pipeline, through its batch hook (`PipelineHooks`): late, lost, reordered and
 * misshapen events, and ANSI colour codes left in. State is per session (the log stream is the session id).
 */
import type { InputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { type GoJsonValue, goMarshal } from "../agent/logging/goJson";
import type { FaultProfile } from "./types";

export const logProfiles: FaultProfile[] = [
  {
    name: "slow-logs",
    summary:
      "Every batch reaches the logs service `delayMs` (15 s: 3x the policy's local 5 s) late; later batches queue behind it.",
    aws: "Streamed events reach the log group within the policy's latency.",
    params: { delayMs: 15_000 },
    caughtBy: ["LOG-01", "ENC-02"],
    cause: [/command \d+ reached the log group after \d+\.\d s, policy allows \d+ s/],
    create: ({ delayMs }) => {
      const pending = new Set<() => void>();
      let stopped = false;
      return {
        logs: {
          transformBatch: (events) =>
            stopped
              ? events
              : new Promise<InputLogEvent[]>((resolve) => {
                  const release = () => {
                    clearTimeout(timer);
                    pending.delete(release);
                    resolve(events);
                  };
                  const timer = setTimeout(release, delayMs);
                  pending.add(release);
                }),
        },
        stop: () => {
          stopped = true;
          for (const release of [...pending]) release();
        },
      };
    },
  },
  {
    name: "drop-events",
    summary:
      "Events are silently lost: the event carrying every `everyNthLine`-th (20th) line of a session never arrives.",
    aws: "Every command of a session is logged, exactly once.",
    params: { everyNthLine: 20 },
    caughtBy: ["LOG-03"],
    cause: [/command \d+ \(\S+\) appears 0 times/],
    create: ({ everyNthLine }) => {
      const every = Math.max(1, Math.round(everyNthLine!));
      const shipped = new Map<string, number>();
      return {
        logs: {
          transformBatch: (events, { logStreamName }) =>
            events.filter((event) => {
              const before = shipped.get(logStreamName) ?? 0;
              const after = before + linesOf(event).length;
              shipped.set(logStreamName, after);
              // Lost when a multiple of `every` falls among this event's lines.
              return Math.floor(after / every) === Math.floor(before / every);
            }),
        },
      };
    },
  },
  {
    name: "reorder-events",
    summary:
      "A session's events arrive out of order: each batch goes out as one event per line, newest line first.",
    aws: "Events are logged in the order the session produced them.",
    caughtBy: ["LOG-03"],
    cause: [/command \d+ is logged before command \d+/],
    create: () => ({
      logs: {
        transformBatch: (events, { mode }) => {
          if (mode !== "streaming" || events.length === 0) return events;
          const lines = events.flatMap((event) => {
            const parsed = parseEvent(event);
            return parsed ? parsed.sessionData.map((line) => ({ parsed, line })) : [];
          });
          const first = events[0]!.timestamp ?? Date.now();
          // Timestamps follow the delivery order, so readers sorting by time see the lines reversed.
          return lines.reverse().map(({ parsed, line }, i) => ({
            timestamp: first + i,
            message: goMarshal({ ...parsed, sessionData: [line] }),
          }));
        },
      },
    }),
  },
  {
    name: "bad-event-shape",
    summary:
      "Streamed events are misshapen: alternately without userIdentity, or with another session's sessionId.",
    aws: "Every event is the documented JSON: eventVersion, eventTime, awsRegion, target, userIdentity, runAsUser, sessionId, sessionData.",
    caughtBy: ["LOG-02"],
    cause: [/userIdentity: missing|event \d+: sessionId \S+/],
    create: () => {
      const counts = new Map<string, number>();
      return {
        logs: {
          transformBatch: (events, { mode, logStreamName }) =>
            mode !== "streaming"
              ? events
              : events.map((event) => {
                  const parsed = parseEvent(event);
                  if (!parsed) return event;
                  const n = counts.get(logStreamName) ?? 0;
                  counts.set(logStreamName, n + 1);
                  const { userIdentity: _dropped, ...rest } = parsed;
                  const wrong = n % 2 === 0 ? rest : { ...parsed, sessionId: otherSession(parsed.sessionId) };
                  return { ...event, message: goMarshal(wrong as GoJsonValue) };
                }),
        },
      };
    },
  },
  {
    name: "ansi-leak",
    summary: "Colour escape codes are left in the streamed events' sessionData.",
    aws: "The agent strips ANSI escape sequences from streamed session data.",
    caughtBy: ["LOG-05"],
    cause: [/escape codes: .*\\u001b\[/],
    create: () => ({ logs: { keepAnsi: true } }),
  },
];

interface StreamedEvent {
  [key: string]: GoJsonValue;
  sessionId: string;
  sessionData: string[];
}

/** A streamed event's JSON, or undefined for anything else (upload-at-end text). */
function parseEvent(event: InputLogEvent): StreamedEvent | undefined {
  try {
    const value = JSON.parse(event.message ?? "") as Partial<StreamedEvent>;
    return Array.isArray(value?.sessionData) && typeof value.sessionId === "string"
      ? (value as StreamedEvent)
      : undefined;
  } catch {
    return undefined;
  }
}

function linesOf(event: InputLogEvent): string[] {
  return parseEvent(event)?.sessionData ?? (event.message ?? "").split("\n");
}

/** Another plausible session id: the same owner prefix, a different suffix. */
function otherSession(sessionId: string): string {
  return `${sessionId.slice(0, -1)}${sessionId.endsWith("0") ? "1" : "0"}`;
}
