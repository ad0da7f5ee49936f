/**
 * awsQuery (the protocol of the STS SDK client): `POST /` with a form-encoded `Action=...&Version=...` body,
 * answered with `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>` XML.
 */
import type http from "node:http";
import type { Exchange } from "./exchange";
import type { AwsServiceError, ServiceProvider } from "./provider";

/** Front-door errors under the names query services use for them. */
const QUERY_ERRORS: Record<string, { code: string; status: number }> = {
  UnrecognizedClientException: { code: "InvalidClientTokenId", status: 403 },
  InvalidSignatureException: { code: "SignatureDoesNotMatch", status: 403 },
  MissingAuthenticationTokenException: { code: "MissingAuthenticationToken", status: 403 },
  IncompleteSignatureException: { code: "IncompleteSignature", status: 403 },
  AccessDeniedException: { code: "AccessDenied", status: 403 },
  UnknownOperationException: { code: "InvalidAction", status: 400 },
};

export function isQueryRequest(req: http.IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
}

export function queryExchange(
  res: http.ServerResponse,
  body: Buffer,
  providers: readonly ServiceProvider[],
  requestId: string,
): Exchange {
  const params = new URLSearchParams(body.toString("utf8"));
  const action = params.get("Action") ?? "";
  const version = params.get("Version") ?? "";
  const provider = providers.find((p) => p.query?.version === version);
  const xmlns = provider?.query ? ` xmlns="${escapeXml(provider.query.xmlNamespace)}"` : "";
  const send = (status: number, xml: string) => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`;
    res
      .writeHead(status, {
        "content-type": "text/xml",
        "content-length": Buffer.byteLength(text),
        "x-amzn-RequestId": requestId,
      })
      .end(text);
  };
  return {
    provider,
    operation: action,
    label: `${action || "(no Action)"}@${version || "(no Version)"}`,
    input: () => {
      const input: Record<string, unknown> = {};
      for (const [key, value] of params) if (key !== "Action" && key !== "Version") input[key] = value;
      return input;
    },
    reply: (result) =>
      send(
        200,
        `<${action}Response${xmlns}><${action}Result>${toXml(result)}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      ),
    fail: (error: AwsServiceError) => {
      const { code, status } = QUERY_ERRORS[error.code] ?? { code: error.code, status: error.httpStatus };
      send(
        status,
        `<ErrorResponse${xmlns}><Error><Type>${status >= 500 ? "Receiver" : "Sender"}</Type>` +
          `<Code>${escapeXml(code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    },
  };
}

/** Members as elements; lists as `<member>` elements (the query default). */
function toXml(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join("");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("");
  }
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}
