import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  checkKeyOrder,
  parseSessionLogEvent,
  SESSION_LOG_EVENT_KEYS,
  type SessionLogEvent,
} from "../../support/logs/sessionLogEvent";

const example: SessionLogEvent = {
  eventVersion: "1.0",
  eventTime: "2024-10-21T18:08:11Z",
  awsRegion: "us-east-1",
  target: { id: "i-0123456789abcdef0" },
  userIdentity: { arn: "arn:aws:iam::123456789012:user/alice" },
  runAsUser: "ssm-user",
  sessionId: "alice-0123456789abcdef0",
  sessionData: ["$ echo hi", "hi"],
};

/** Second-precision UTC instants, as the agent writes them. */
const eventTime = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z"));

const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { noNullPrototype: true });

const validEvent: fc.Arbitrary<SessionLogEvent> = record({
  eventVersion: fc.constant("1.0" as const),
  eventTime,
  awsRegion: fc.string(),
  target: record({ id: fc.string() }),
  userIdentity: record({ arn: fc.string() }),
  runAsUser: fc.string(),
  sessionId: fc.string(),
  sessionData: fc.array(fc.string()),
});

/** A JSON value of a type other than the field's (strings for the string fields are never "wrong"). */
function wrongTypeFor(field: keyof SessionLogEvent): fc.Arbitrary<unknown> {
  const scalars = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null));
  if (field === "target" || field === "userIdentity")
    return fc.oneof(scalars, fc.string(), fc.array(fc.string()));
  if (field === "sessionData") return fc.oneof(scalars, fc.string(), fc.constant({ line: "x" }));
  return fc.oneof(scalars, fc.array(fc.string()), fc.constant({ id: "x" }));
}

const problemsOf = (value: unknown): string[] => {
  const result = parseSessionLogEvent(JSON.stringify(value));
  return result.ok ? [] : result.problems;
};

describe("parseSessionLogEvent", () => {
  it("accepts the agent's event and returns it typed", () => {
    assert.deepEqual(parseSessionLogEvent(JSON.stringify(example)), { ok: true, event: example });
  });

  it("accepts any valid event, in the agent's key order", () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const message = JSON.stringify(event);
        assert.deepEqual(parseSessionLogEvent(message), { ok: true, event });
        assert.equal(checkKeyOrder(message), undefined);
      }),
    );
  });

  it("rejects an event with one required field removed, naming that field as missing", () => {
    fc.assert(
      fc.property(validEvent, fc.constantFrom(...SESSION_LOG_EVENT_KEYS), (event, field) => {
        const { [field]: _removed, ...rest } = event;
        assert.deepEqual(problemsOf(rest), [`${field}: missing`]);
      }),
    );
  });

  it("rejects an event with one field of the wrong type, naming that field", () => {
    fc.assert(
      fc.property(
        validEvent,
        fc
          .constantFrom(...SESSION_LOG_EVENT_KEYS)
          .chain((field) => fc.tuple(fc.constant(field), wrongTypeFor(field))),
        (event, [field, value]) => {
          const problems = problemsOf({ ...event, [field]: value });
          assert.equal(problems.length, 1, problems.join("; "));
          assert.ok(problems[0]!.startsWith(`${field}: expected `), problems[0]);
        },
      ),
    );
  });

  it("names nested fields and list items by their path", () => {
    assert.deepEqual(problemsOf({ ...example, target: { id: 7 }, userIdentity: {} }), [
      "target.id: expected string, got number 7",
      "userIdentity.arn: missing",
    ]);
    assert.deepEqual(problemsOf({ ...example, sessionData: ["ok", 4, null] }), [
      "sessionData[1]: expected string, got number 4",
      "sessionData[2]: expected string, got null",
    ]);
  });

  it("rejects an eventTime that is not second-precision RFC 3339 UTC", () => {
    for (const eventTime of [
      "2024-10-21T18:08:11.123Z",
      "2024-10-21T18:08:11+00:00",
      "2024-10-21 18:08:11Z",
      "2024-02-30T00:00:00Z",
      "2024-10-21T24:00:00Z",
      "1729534091",
    ]) {
      assert.deepEqual(
        problemsOf({ ...example, eventTime }),
        [
          `eventTime: expected RFC 3339 UTC with second precision (YYYY-MM-DDTHH:MM:SSZ), got ${JSON.stringify(eventTime)}`,
        ],
        eventTime,
      );
    }
  });

  it("lists every problem at once", () => {
    const { sessionId: _, ...rest } = example;
    assert.deepEqual(problemsOf({ ...rest, eventVersion: "2.0", runAsUser: 0 }), [
      'eventVersion: expected "1.0", got "2.0"',
      "runAsUser: expected string, got number 0",
      "sessionId: missing",
    ]);
  });

  it("says when the message is not a JSON object", () => {
    const notJson = parseSessionLogEvent("Script started on 2024-10-21");
    assert.equal(notJson.ok, false);
    assert.match((notJson as { problems: string[] }).problems[0]!, /^message is not JSON: /);
    assert.deepEqual(parseSessionLogEvent("[1]"), {
      ok: false,
      problems: ["message is not a JSON object: got array"],
    });
  });

  it("ignores unknown keys", () => {
    assert.deepEqual(parseSessionLogEvent(JSON.stringify({ ...example, extra: 1 })), {
      ok: true,
      event: example,
    });
  });
});

describe("checkKeyOrder", () => {
  it("reports keys out of the agent's order without failing the parse", () => {
    const { eventVersion, eventTime, ...rest } = example;
    const message = JSON.stringify({ eventTime, eventVersion, ...rest });
    assert.equal(parseSessionLogEvent(message).ok, true);
    assert.equal(
      checkKeyOrder(message),
      "keys in order eventTime, eventVersion, awsRegion, target, userIdentity, runAsUser, sessionId, sessionData; " +
        "the agent emits eventVersion, eventTime, awsRegion, target, userIdentity, runAsUser, sessionId, sessionData",
    );
  });

  it("judges only the known keys that are present", () => {
    const { awsRegion: _, ...rest } = example;
    assert.equal(checkKeyOrder(JSON.stringify({ first: 1, ...rest, last: 2 })), undefined);
    assert.equal(checkKeyOrder("not json"), undefined);
  });
});
