/**
 * What the scripted peers of the vector replays (test/emulator/vectors-*.test.ts) share: a WebSocket opened
 * as the recorded peer opened it, waiting for what arrives on it, and a frame's JSON payload.
 */
import WebSocket from "ws";
import type { Frame } from "../../protocol";

/** Opens a WebSocket without extensions, as the official plugin and agent do; rejects a refused upgrade. */
export async function openSocket(
  url: string,
  options: { headers?: Record<string, string>; ca?: string } = {},
): Promise<WebSocket> {
  const socket = new WebSocket(url, { ...options, perMessageDeflate: false });
  // A later error shows as the socket closing; unhandled, it would end the test process.
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once("error", reject);
  });
  return socket;
}

/** Waits for what a peer has received to satisfy a probe; call wake() after each arrival. */
export class ArrivalWaiters {
  private readonly waiters = new Set<() => void>();

  wake(): void {
    for (const check of this.waiters) check();
  }

  /** Resolves with the probe's first defined value; rejects after `timeoutMs`. */
  until<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

export function payloadJson(frame: Frame): Record<string, unknown> {
  return JSON.parse(frame.payload.toString("utf8")) as Record<string, unknown>;
}
