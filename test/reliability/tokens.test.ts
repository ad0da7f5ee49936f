/**
 * Token safety of the message gateway (emulator/messages/tokens.ts) on an injected clock: a token opens one
 * connection only, expires 60 s after it was issued if unused, and a token of one session never opens
 * another session's channel (nor a control channel). The end-to-end refusals over real WebSockets are in
 * test/emulator/stack-errors.test.ts; here every rule is checked at its edges without waiting.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLIENT_TOKEN_TTL_MS, TokenStore } from "../../emulator/messages/tokens";

function clockAt(start: number) {
  const clock = { now: start };
  return { clock, now: () => clock.now };
}

describe("reliability: gateway tokens", () => {
  test("a token is single-use: the second redeem fails, even for the same channel", () => {
    const { now } = clockAt(1_000_000);
    const tokens = new TokenStore(now);
    const token = tokens.issue("client-data", "sess-a");
    const first = tokens.redeem(token, "sess-a");
    assert.equal(first.ok, true);
    assert.ok(first.ok && first.grant.kind === "client-data" && first.grant.channelId === "sess-a");
    const second = tokens.redeem(token, "sess-a");
    assert.deepEqual(second, { ok: false, reason: "TokenValue is invalid or was already used" });
  });

  test("an unused token expires 60 s after it was issued (valid at 60 s, refused just after)", () => {
    const { clock, now } = clockAt(5_000_000);
    const tokens = new TokenStore(now);
    assert.equal(CLIENT_TOKEN_TTL_MS, 60_000);
    const atLimit = tokens.issue("client-data", "sess-a");
    const late = tokens.issue("client-data", "sess-a");
    clock.now += CLIENT_TOKEN_TTL_MS;
    assert.equal(tokens.redeem(atLimit, "sess-a").ok, true, "still valid at exactly 60 s");
    clock.now += 1;
    assert.deepEqual(tokens.redeem(late, "sess-a"), { ok: false, reason: "TokenValue has expired" });
  });

  test("expired tokens are swept: they are unknown afterwards, not merely expired", () => {
    const { clock, now } = clockAt(0);
    const tokens = new TokenStore(now);
    const old = tokens.issue("client-data", "sess-a");
    clock.now += CLIENT_TOKEN_TTL_MS + 1;
    tokens.issue("client-data", "sess-b"); // issuing sweeps
    assert.deepEqual(tokens.redeem(old, "sess-a"), {
      ok: false,
      reason: "TokenValue is invalid or was already used",
    });
  });

  test("a token of one session never opens another, and is spent by the attempt", () => {
    const { now } = clockAt(0);
    const tokens = new TokenStore(now);
    const a = tokens.issue("client-data", "sess-a");
    tokens.issue("client-data", "sess-b");
    assert.deepEqual(tokens.redeem(a, "sess-b"), {
      ok: false,
      reason: "TokenValue does not belong to this channel",
    });
    // Presented at the wrong door, it is gone: it cannot be replayed at its own session either.
    assert.equal(tokens.redeem(a, "sess-a").ok, false);
  });

  test("agent tokens carry their kind and custom lifetime; a data token names no control channel", () => {
    const { clock, now } = clockAt(0);
    const tokens = new TokenStore(now);
    const control = tokens.issue("agent-control", "i-0123456789abcdef0", 10_000);
    const data = tokens.issue("agent-data", "sess-a", 10_000);
    assert.equal(tokens.redeem(data, "i-0123456789abcdef0").ok, false, "a data token at a control channel");
    clock.now += 10_001;
    assert.deepEqual(tokens.redeem(control, "i-0123456789abcdef0"), {
      ok: false,
      reason: "TokenValue has expired",
    });
  });

  test("missing, empty and non-string tokens are refused with their own reason", () => {
    const tokens = new TokenStore(() => 0);
    for (const value of [undefined, null, "", 42, {}, ["x"]]) {
      assert.deepEqual(tokens.redeem(value, "sess-a"), { ok: false, reason: "TokenValue is missing" });
    }
  });

  test("revokeChannel invalidates the unused tokens of one session (of the given kinds) only", () => {
    const tokens = new TokenStore(() => 0);
    const client = tokens.issue("client-data", "sess-a");
    const agent = tokens.issue("agent-data", "sess-a");
    const other = tokens.issue("agent-data", "sess-b");
    tokens.revokeChannel("sess-a", ["agent-data"]);
    assert.equal(tokens.redeem(agent, "sess-a").ok, false);
    assert.equal(tokens.redeem(client, "sess-a").ok, true, "the client token of the session survives");
    assert.equal(tokens.redeem(other, "sess-b").ok, true, "another session's token survives");
  });

  test("tokens are unguessable: 10,000 issued, all distinct, 69 characters of base64url", () => {
    const tokens = new TokenStore(() => 0);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(tokens.issue("client-data", `s-${i}`));
    assert.equal(seen.size, 10_000);
    for (const t of [...seen].slice(0, 100)) assert.match(t, /^AAEAA[A-Za-z0-9_-]{64}$/);
  });
});
