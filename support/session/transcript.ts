/** The shell output a client has received, decoded as UTF-8 across chunk boundaries, with waiters on it. */
import { StringDecoder } from "node:string_decoder";

interface Waiter {
  from: number;
  test(text: string): RegExpExecArray | null;
  resolve(match: TranscriptMatch): void;
}

export interface TranscriptMatch {
  /** Offset in the transcript where the match starts. */
  index: number;
  /** Offset just past the match. */
  end: number;
  groups: string[];
  /** Real-clock instant the matching output arrived. */
  at: number;
}

export class Transcript {
  private readonly decoder = new StringDecoder("utf8");
  private value = "";
  private bytes = 0;
  private waiters: Waiter[] = [];
  private readonly listeners = new Set<(chunk: Buffer) => void>();

  get text(): string {
    return this.value;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** Calls `listener` with every chunk appended from now on (raw bytes); returns the unsubscribe. */
  onChunk(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(chunk: Buffer): void {
    for (const listener of this.listeners) listener(chunk);
    this.bytes += chunk.length;
    this.value += this.decoder.write(chunk);
    const now = Date.now();
    this.waiters = this.waiters.filter((waiter) => {
      const match = waiter.test(this.value.slice(waiter.from));
      if (!match) return true;
      const index = waiter.from + match.index;
      waiter.resolve({ index, end: index + match[0].length, groups: match.slice(1), at: now });
      return false;
    });
  }

  /**
   * Resolves when `pattern` appears at or after offset `from`. Never rejects by itself: callers race it
   * against their timeout and against the session closing.
   */
  waitFor(pattern: RegExp | string, from = 0): Promise<TranscriptMatch> {
    const regex = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
    const test = (text: string) => new RegExp(regex.source, regex.flags.replace("g", "")).exec(text);
    const existing = test(this.value.slice(from));
    if (existing) {
      const index = from + existing.index;
      return Promise.resolve({
        index,
        end: index + existing[0].length,
        groups: existing.slice(1),
        at: Date.now(),
      });
    }
    return new Promise((resolve) => this.waiters.push({ from, test, resolve }));
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
