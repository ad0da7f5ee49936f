/**
 * Sends that leave in one socket write per event-loop turn. The first send of a turn corks the WebSocket's
 * TCP socket and a nextTick uncorks it, so a burst of frames (the agent's unpaced pump emits up to 64
 * chunks in a row, the relay forwards every frame of one read, the client acks every frame of one read)
 * goes out in one writev instead of one system call per frame, which was the largest single cost per
 * frame in bench/throughput. The bytes and their order are unchanged: only the flush is deferred, to the
 * end of the current turn.
 */

/** The part of a `ws` WebSocket used here; `_socket` is its underlying net.Socket (null once closed). */
export interface CorkableWebSocket {
  send(data: Buffer): void;
  readonly _socket?: { cork(): void; uncork(): void } | null;
}

export function coalescingSend(ws: CorkableWebSocket): (data: Buffer) => void {
  let corked: { uncork(): void } | undefined;
  const flush = () => {
    corked?.uncork();
    corked = undefined;
  };
  return (data) => {
    const raw = ws._socket;
    if (corked === undefined && raw) {
      raw.cork();
      corked = raw;
      process.nextTick(flush);
    }
    ws.send(data);
  };
}
