/** AWS JSON 1.0 / 1.1: `POST /`, `X-Amz-Target: <TargetPrefix>.<Operation>`, JSON body both ways. */
import type http from "node:http";
import { serializationError } from "./errors";
import type { Exchange } from "./exchange";
import type { AwsServiceError, ServiceProvider } from "./provider";

const JSON_1_0 = "application/x-amz-json-1.0";
const JSON_1_1 = "application/x-amz-json-1.1";

export function jsonExchange(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  providers: readonly ServiceProvider[],
  requestId: string,
): Exchange {
  const target = String(req.headers["x-amz-target"] ?? "");
  const dot = target.lastIndexOf(".");
  const prefix = dot > 0 ? target.slice(0, dot) : "";
  const provider = providers.find((p) => p.targetPrefix === prefix);
  // Answer in the JSON version the client spoke.
  const contentType = req.headers["content-type"]?.startsWith(JSON_1_0) ? JSON_1_0 : JSON_1_1;
  const send = (status: number, payload: unknown, errorType?: string) => {
    const text = JSON.stringify(payload ?? {});
    const headers: http.OutgoingHttpHeaders = {
      "content-type": contentType,
      "content-length": Buffer.byteLength(text),
      "x-amzn-RequestId": requestId,
    };
    if (errorType) headers["x-amzn-ErrorType"] = errorType;
    res.writeHead(status, headers).end(text);
  };
  return {
    provider,
    operation: dot > 0 ? target.slice(dot + 1) : "",
    label: target || "(no X-Amz-Target)",
    input: () => parseJsonObject(body),
    reply: (result) => send(200, result),
    fail: (error: AwsServiceError) =>
      send(
        error.httpStatus,
        { __type: error.code, [provider?.errorMessageKey ?? "message"]: error.message },
        error.code,
      ),
  };
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw serializationError("The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw serializationError("Start of structure or map expected.");
  }
  return value as Record<string, unknown>;
}
