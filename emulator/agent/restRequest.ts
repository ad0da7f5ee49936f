/**
 * One REST call over HTTP/1.1 with node:http(s), as the real agent makes it when the gateway offers no h2.
 * Unlike the global fetch, it takes a `ca` for a gateway whose certificate the system roots do not cover.
 */
import http from "node:http";
import https from "node:https";

export interface RestReply {
  status: number;
  /** "1.1" */
  httpVersion: string;
  contentType: string | undefined;
  body: string;
}

export interface RestRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Extra CA certificates (https only); absent: Node's roots. */
  ca?: string | Buffer;
  timeoutMs: number;
}

export function restRequest(url: URL, request: RestRequest): Promise<RestReply> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          // A length, not chunked encoding, as Go's client sends a known-size body.
          ...(request.body !== undefined && { "content-length": String(Buffer.byteLength(request.body)) }),
        },
        ...(request.ca !== undefined && { ca: request.ca }),
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            httpVersion: res.httpVersion,
            contentType: res.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}
