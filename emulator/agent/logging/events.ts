import type { InputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { decodeUtf8Go } from "../shell/utf8";
import { goMarshal } from "./goJson";

/** Who and what a streamed event describes (the agent's CloudWatchMessage fields other than time and data). */
export interface SessionIdentity {
  /** Region of the MGS endpoint. */
  region: string;
  /** Managed node id. */
  targetId: string;
  /** SessionOwner from the start-session payload (caller ARN). */
  sessionOwner: string;
  /** OS user running the shell (PtyShell.user); empty in container mode. */
  runAsUser: string;
  sessionId: string;
}

/**
 * One streaming event (spec 13.3): the JSON object with the agent's key order, `eventTime` the build time in
 * UTC RFC 3339 to the second, `sessionData` the text with TAB -> space, CR removed, split on LF, trailing
 * empty element dropped; the event timestamp is the same build time in ms.
 */
export function structuredEvent(raw: Buffer, identity: SessionIdentity, nowMs: number): InputLogEvent {
  const text = Buffer.from(raw.filter((b) => b !== 0x0d).map((b) => (b === 0x09 ? 0x20 : b)));
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = text.indexOf(0x0a); nl !== -1; nl = text.indexOf(0x0a, start)) {
    lines.push(text.subarray(start, nl));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.subarray(start));
  const message = goMarshal({
    eventVersion: "1.0",
    eventTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    awsRegion: identity.region,
    target: { id: identity.targetId },
    userIdentity: { arn: identity.sessionOwner },
    runAsUser: identity.runAsUser,
    sessionId: identity.sessionId,
    sessionData: lines,
  });
  return { timestamp: nowMs, message };
}

/**
 * One upload-at-end event (spec 13.4): the raw text with CRLF -> LF and, once the transcript is complete,
 * its final newline removed (the agent trims each event's, and every event but a cut one ends a line).
 */
export function plainEvent(raw: Buffer, fileComplete: boolean, nowMs: number): InputLogEvent {
  let text = Buffer.from(raw.toString("latin1").replaceAll("\r\n", "\n"), "latin1");
  if (fileComplete && raw[raw.length - 1] === 0x0a) text = text.subarray(0, text.length - 1);
  return { timestamp: nowMs, message: decodeUtf8Go(text) };
}
