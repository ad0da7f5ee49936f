/**
 * The agent's side of the gateway's REST calls and WebSocket dials (mgs-agent-side.md sections 2, 3, 5):
 * SigV4-signed (service `ssmmessages`) CreateControlChannel / CreateDataChannel answered 201 with XML, and
 * signed WebSocket upgrades. Works against our gateway and, in principle, against any MGS.
 */
import { randomUUID } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import WebSocket from "ws";
import { restRequest } from "./restRequest";

export interface AgentCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface MgsEndpoint {
  /** http(s)://host:port of the gateway. */
  url: string;
  region: string;
  credentials: AgentCredentials;
  /** Extra CA certificates for https/wss (the stack's own CA). */
  ca?: string | Buffer;
}

const REST_TIMEOUT_MS = 15_000;

export class MgsClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(private readonly endpoint: MgsEndpoint) {
    this.base = new URL(endpoint.url);
    this.signer = new SignatureV4({
      service: "ssmmessages",
      region: endpoint.region,
      credentials: endpoint.credentials,
      sha256: Hash.bind(null, "sha256"),
    });
  }

  createControlChannel(nodeId: string): Promise<string> {
    return this.createChannel(`/v1/control-channel/${encodeURIComponent(nodeId)}`, {
      MessageSchemaVersion: "1.0",
      RequestId: randomUUID(),
    });
  }

  createDataChannel(sessionId: string): Promise<string> {
    // ClientId is "" for MGS-started sessions, as the real agent sends it (real-agent-observations.md #11).
    return this.createChannel(`/v1/data-channel/${encodeURIComponent(sessionId)}`, {
      MessageSchemaVersion: "1.0",
      RequestId: randomUUID(),
      ClientId: "",
    });
  }

  /** Dials a signed WebSocket upgrade; resolves once the socket is open. */
  async dial(path: string, query: Record<string, string>): Promise<WebSocket> {
    const signed = await this.sign("GET", path, query, undefined);
    const wsUrl = new URL(path, this.base);
    wsUrl.protocol = this.base.protocol === "https:" ? "wss:" : "ws:";
    for (const [k, v] of Object.entries(query)) wsUrl.searchParams.set(k, v);
    const socket = new WebSocket(wsUrl, {
      headers: signed.headers,
      ca: this.endpoint.ca,
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)),
      );
    });
    return socket;
  }

  private async createChannel(path: string, body: Record<string, string>): Promise<string> {
    const payload = JSON.stringify(body);
    const signed = await this.sign("POST", path, {}, payload);
    const response = await restRequest(new URL(path, this.base), {
      method: "POST",
      headers: signed.headers,
      body: payload,
      ca: this.endpoint.ca,
      timeoutMs: REST_TIMEOUT_MS,
    });
    const text = response.body;
    // Exactly 201 is success; anything else is an error whose text is the raw body (as the real agent).
    if (response.status !== 201) throw new Error(`unexpected response from the service ${text}`);
    const token = /<TokenValue>([^<]*)<\/TokenValue>/.exec(text)?.[1];
    if (!token) throw new Error(`the service's reply has no TokenValue: ${text}`);
    return unescapeXml(token);
  }

  private async sign(method: string, path: string, query: Record<string, string>, body: string | undefined) {
    const request = new HttpRequest({
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port ? Number(this.base.port) : undefined,
      path,
      query,
      headers: {
        host: this.base.host,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body,
    });
    return this.signer.sign(request);
  }
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
