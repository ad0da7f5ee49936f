/** coalescingSend: one cork per event-loop turn, frames unchanged and in order, flushed at the turn's end. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { coalescingSend } from "../../protocol";

/** A WebSocket stand-in whose TCP socket records cork depth and what each flush would write. */
function fakeWebSocket() {
  const log: string[] = [];
  let depth = 0;
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) log.push(`write ${pending.join(",")}`);
    pending = [];
  };
  const raw = {
    cork: () => {
      depth++;
    },
    uncork: () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) flush();
    },
  };
  const ws = {
    _socket: raw as typeof raw | null,
    send: (data: Buffer) => {
      pending.push(data.toString());
      if (depth === 0) flush();
    },
  };
  return { ws, log, depth: () => depth };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("coalescingSend", () => {
  test("a burst of sends in one turn is one write, in order; the next turn starts a new one", async () => {
    const { ws, log, depth } = fakeWebSocket();
    const send = coalescingSend(ws);
    for (const frame of ["a", "b", "c"]) send(Buffer.from(frame));
    assert.deepEqual(log, [], "held while corked");
    assert.equal(depth(), 1, "corked once, not once per frame");
    await nextTurn();
    assert.deepEqual(log, ["write a,b,c"]);
    send(Buffer.from("d"));
    await nextTurn();
    assert.deepEqual(log, ["write a,b,c", "write d"]);
    assert.equal(depth(), 0);
  });

  test("a closed socket (no _socket) is sent to as is", () => {
    const { ws, log } = fakeWebSocket();
    ws._socket = null;
    coalescingSend(ws)(Buffer.from("x"));
    assert.deepEqual(log, ["write x"]);
  });
});
