/**
 * The agent output a session's gateway relay has accepted and the client has not acknowledged yet, kept to
 * be replayed, in sequence order, to the next client that attaches (ResumeSession).
 *
 * Why: output the relay wrote to a client socket that had already gone, or dropped while no client was
 * attached, is otherwise recovered only by the agent's resend scheduler, which (as in the real agent) only
 * ever resends the oldest unacknowledged message, once its RTO has passed and the previous one was acked:
 * k lost messages take k round trips plus scheduler ticks. Under machine load, with round trips of
 * seconds, a handful of lost messages kept a resumed session silent for over 30 s
 * (test/reliability/nothing-lost). Replaying on attach delivers them at once; the agent stays faithful,
 * and its own resends of the same messages are duplicates the client discards. How the real MGS handles
 * this is not known; it must not lose less than this.
 */
import { type Frame, jsonObjectOf, MessageType } from "../../protocol";

/** Bytes kept per session: the emulated agent's own bound on unacknowledged output (4 MiB). */
export const REPLAY_CAPACITY_BYTES = 4 * 1024 * 1024;

export class OutputReplay {
  /** By sequence number, in arrival order (the agent's order, except for a resend of an acked message). */
  private readonly frames = new Map<number, Buffer>();
  private bytes = 0;

  constructor(private readonly capacityBytes = REPLAY_CAPACITY_BYTES) {}

  /** Frames kept. */
  get size(): number {
    return this.frames.size;
  }

  /** An output_stream_data frame from the agent, as relayed (not copied). */
  keep(sequenceNumber: number, data: Buffer): void {
    if (this.frames.has(sequenceNumber)) return; // the agent resending one we still keep
    this.frames.set(sequenceNumber, data);
    this.bytes += data.length;
    // Past the bound the oldest is forgotten: the agent still has it and resends it.
    while (this.bytes > this.capacityBytes) this.forget(this.frames.keys().next().value!);
  }

  /** An acknowledge frame from the client: its output_stream_data need not be replayed any more. */
  acknowledged(frame: Frame): void {
    const content = jsonObjectOf(frame.payload);
    const seq = content?.AcknowledgedMessageSequenceNumber;
    if (content?.AcknowledgedMessageType === MessageType.OutputStreamData && typeof seq === "number")
      this.forget(seq);
  }

  /** What a newly attached client gets, in sequence order. */
  pending(): Buffer[] {
    return [...this.frames.entries()].sort((a, b) => a[0] - b[0]).map(([, data]) => data);
  }

  private forget(sequenceNumber: number): void {
    const data = this.frames.get(sequenceNumber);
    if (data === undefined) return;
    this.frames.delete(sequenceNumber);
    this.bytes -= data.length;
  }
}
