import { type Logger, silentLogger } from "../../logger";

export interface SessionLogRecorderOptions {
  /** Most bytes kept (default 64 MiB); output beyond is not recorded, so not logged. */
  capBytes?: number;
  logger?: Logger;
}

/**
 * The agent's ipcTempFile: every chunk sent to the client is appended, and the log shippers read it back.
 * Kept in memory, bounded by `capBytes`; the agent's file has no bound, so a session whose output exceeds the
 * cap has the rest of its output missing from the logs (`droppedBytes` says how much, and a warning is logged).
 */
export class SessionLogRecorder {
  private buf: Buffer = Buffer.alloc(0);
  private size = 0;
  private dropped = 0;
  private readonly capBytes: number;
  private readonly logger: Logger;

  constructor(options: SessionLogRecorderOptions = {}) {
    this.capBytes = options.capBytes ?? 64 * 1024 * 1024;
    this.logger = options.logger ?? silentLogger;
  }

  get length(): number {
    return this.size;
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  append(chunk: Buffer): void {
    const room = this.capBytes - this.size;
    const kept = Math.min(room, chunk.length);
    if (kept < chunk.length) {
      if (this.dropped === 0)
        this.logger.warn(`session log cap of ${this.capBytes} bytes reached: output not logged`);
      this.dropped += chunk.length - kept;
    }
    if (kept === 0) return;
    if (this.size + kept > this.buf.length) {
      const grown = Buffer.alloc(
        Math.min(this.capBytes, Math.max(this.size + kept, this.buf.length * 2, 4096)),
      );
      this.buf.copy(grown, 0, 0, this.size);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.size, 0, kept);
    this.size += kept;
  }

  /** Everything recorded so far. The view stays valid (and unchanged) after later appends. */
  contents(): Buffer {
    return this.buf.subarray(0, this.size);
  }
}
