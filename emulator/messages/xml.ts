/** The XML bodies of the gateway's REST replies, as the Go agent parses them (mgs-agent-side.md section 2). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function channelTokenXml(
  root: "CreateControlChannelOutput" | "CreateDataChannelOutput",
  token: string,
): string {
  return `<${root}><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>${escapeXml(token)}</TokenValue></${root}>`;
}

/** Errors are XML too; the agent only checks for status 201 and reads the body as text. */
export function badRequestXml(message: string): string {
  return `<BadRequest xmlns=""><message>${escapeXml(message)}</message></BadRequest>`;
}
