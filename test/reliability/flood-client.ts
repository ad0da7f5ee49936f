/** A misbehaving data-channel client for the resource-limit test (not a test file itself). */
import { SSMClient, StartSessionCommand } from "@aws-sdk/client-ssm";
import WebSocket from "ws";
import {
  clientOpenDataChannel,
  encodeFrame,
  MessageType,
  PayloadType,
  streamDataFrame,
} from "../../protocol";
import { CLIENT_VERSION } from "../../support/session/sessionClient";

export interface FloodSession {
  sessionId: string;
  /** Closes the socket (the session stays until terminated or timed out). */
  close(): void;
}

/**
 * Starts a session on `endpoint`, opens its data channel with the token, types `yes`, and then misbehaves:
 * `no-read` stops reading the socket (TCP backpressure reaches the gateway), `no-ack` reads and never
 * acknowledges anything.
 */
export async function openFloodSession(
  endpoint: string,
  target: string,
  mode: "no-read" | "no-ack",
): Promise<FloodSession> {
  const ssm = new SSMClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const started = await ssm.send(new StartSessionCommand({ Target: target }));
  ssm.destroy();
  const socket = new WebSocket(started.StreamUrl!, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => undefined);
  socket.send(clientOpenDataChannel({ token: started.TokenValue!, clientVersion: CLIENT_VERSION }));
  // Wait for the prompt (the first output frame), without acknowledging it.
  await new Promise<void>((resolve) => {
    socket.on("message", (_data, isBinary) => {
      if (isBinary) resolve();
    });
  });
  socket.send(
    encodeFrame(
      streamDataFrame(MessageType.InputStreamData, 0, PayloadType.Output, Buffer.from("yes\r", "utf8")),
    ),
  );
  if (mode === "no-read") {
    // Stop reading: the kernel buffers fill and the gateway's writes to this socket stop draining.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }
  return { sessionId: started.SessionId!, close: () => socket.terminate() };
}
