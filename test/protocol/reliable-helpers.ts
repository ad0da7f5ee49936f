/** Test fixtures for ReliableStream: an endpoint that records what it sends and delivers, and peer frames. */
import { randomUUID } from "node:crypto";
import {
  AcknowledgeContent,
  ackFrame,
  type Clock,
  type DecodedFrame,
  decodeFrame,
  encodeFrame,
  Flags,
  type Frame,
  MessageType,
  PayloadType,
  parsePayload,
  ReliableStream,
  type ReliableStreamOptions,
  type StreamRole,
  streamDataFrame,
} from "../../protocol";

export interface Endpoint {
  stream: ReliableStream;
  /** Every frame the stream wrote, decoded, in order. */
  sent: DecodedFrame[];
  /** Payloads (utf8) the handler accepted, in order. */
  delivered: string[];
  /** Return value of the handler for the next calls; true by default. */
  ready: boolean;
}

export function endpoint(
  role: StreamRole,
  clock: Clock,
  options: Partial<ReliableStreamOptions> = {},
): Endpoint {
  const ep: Endpoint = {
    stream: undefined as unknown as ReliableStream,
    sent: [],
    delivered: [],
    ready: true,
  };
  ep.stream = new ReliableStream({
    role,
    clock,
    send: (bytes) => ep.sent.push(decodeFrame(bytes)),
    deliver: (frame) => {
      if (ep.ready) ep.delivered.push(frame.payload.toString("utf8"));
      return ep.ready;
    },
    ...options,
  });
  return ep;
}

/** The message type a role's peer sends as stream data. */
export function peerStreamType(role: StreamRole) {
  return role === "agent" ? MessageType.InputStreamData : MessageType.OutputStreamData;
}

/** A stream-data frame from the peer of `role`, encoded. */
export function peerData(
  role: StreamRole,
  sequenceNumber: number,
  text: string,
  clock: Clock,
  payloadType: PayloadType = PayloadType.Output,
): Buffer {
  return encodeFrame(
    streamDataFrame(
      peerStreamType(role),
      sequenceNumber,
      payloadType,
      Buffer.from(text),
      Flags.None,
      clock.now(),
    ),
  );
}

/** An acknowledge from the peer for our message `sequenceNumber`. */
export function peerAck(role: StreamRole, sequenceNumber: number, clock: Clock): Buffer {
  const ours = role === "agent" ? MessageType.OutputStreamData : MessageType.InputStreamData;
  return encodeFrame(ackFrame({ messageType: ours, messageId: randomUUID(), sequenceNumber }, clock.now()));
}

export function ackContent(frame: Frame): AcknowledgeContent {
  return parsePayload(AcknowledgeContent, frame.payload, "AcknowledgeContent");
}

/** Sequence numbers acked by the acknowledge frames in `frames`. */
export function ackedSeqs(frames: Frame[]): number[] {
  return frames
    .filter((f) => f.messageType === MessageType.Acknowledge)
    .map((f) => ackContent(f).AcknowledgedMessageSequenceNumber);
}

/** Sequence numbers of the stream-data frames in `frames`. */
export function dataSeqs(frames: Frame[]): number[] {
  return frames.filter((f) => f.messageType !== MessageType.Acknowledge).map((f) => f.sequenceNumber);
}
