/**
 * Frame builders for the messages both roles send: acks, stream data, session state, channel_closed; and the
 * client's OpenDataChannel text frame.
 */
import { randomUUID } from "node:crypto";
import { Flags, MessageType, PayloadType } from "./constants";
import { type Frame, makeFrame } from "./frame";
import {
  type AgentSessionState,
  acknowledgeContent,
  agentSessionState,
  channelClosed,
  jsonPayload,
} from "./payloads";

/** An acknowledge for one sequenced frame: seq 0, flags SYN|FIN, PayloadType 0 (both Go implementations). */
export function ackFrame(
  acked: Pick<Frame, "messageType" | "messageId" | "sequenceNumber">,
  now = Date.now(),
): Frame {
  return makeFrame({
    messageType: MessageType.Acknowledge,
    createdDate: now,
    sequenceNumber: 0,
    flags: Flags.SynFin,
    payloadType: PayloadType.None,
    payload: jsonPayload(acknowledgeContent(acked.messageType, acked.messageId, acked.sequenceNumber)),
  });
}

/** A sequenced input_stream_data / output_stream_data frame. The agent sets SYN on its seq 0 only. */
export function streamDataFrame(
  messageType: typeof MessageType.InputStreamData | typeof MessageType.OutputStreamData,
  sequenceNumber: number,
  payloadType: PayloadType,
  payload: Buffer,
  flags: number = Flags.None,
  now = Date.now(),
): Frame {
  return makeFrame({ messageType, createdDate: now, sequenceNumber, flags, payloadType, payload });
}

export function agentSessionStateFrame(
  sessionId: string,
  state: AgentSessionState["SessionState"],
  now = Date.now(),
): Frame {
  return makeFrame({
    messageType: MessageType.AgentSessionState,
    createdDate: now,
    sequenceNumber: 0,
    flags: Flags.SynFin,
    payloadType: PayloadType.None,
    payload: jsonPayload(agentSessionState(sessionId, state)),
  });
}

export function channelClosedFrame(
  fields: { destinationId: string; sessionId: string; output: string },
  now = Date.now(),
): Frame {
  const frame = makeFrame({
    messageType: MessageType.ChannelClosed,
    createdDate: now,
    sequenceNumber: 0,
    flags: Flags.None,
    payloadType: PayloadType.None,
    payload: Buffer.alloc(0),
  });
  frame.payload = jsonPayload(
    channelClosed({ ...fields, messageId: frame.messageId, createdDate: new Date(now) }),
  );
  return frame;
}

/**
 * The client's first (text) frame on the data channel, in the plugin's key order (real-agent-observations.md
 * #26). `clientVersion` is left out when undefined, as some callers test.
 */
export function clientOpenDataChannel(open: {
  token: string;
  clientId?: string;
  clientVersion?: string;
}): string {
  return JSON.stringify({
    MessageSchemaVersion: "1.0",
    RequestId: randomUUID(),
    TokenValue: open.token,
    ClientId: open.clientId ?? randomUUID(),
    ...(open.clientVersion !== undefined && { ClientVersion: open.clientVersion }),
  });
}
