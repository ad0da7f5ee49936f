/**
 * The emulator's HTTP(S) front door on loopback: AWS API calls on `POST /` (see dispatch.ts) and extra REST
 * routes for other components. WebSocket upgrades are left to whoever listens for `upgrade` on `server`.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { type Logger, silentLogger } from "../logger";
import { DEFAULT_PRINCIPAL, type Principal } from "./credentials";
import { createAwsHandler } from "./dispatch";
import type { ServiceProvider } from "./provider";

export interface HttpRoute {
  method: string;
  /** Matched as prefix of the URL path; the longest matching prefix wins. */
  pathPrefix: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void | Promise<void>;
}

export interface ApiServerOptions {
  providers: ServiceProvider[];
  /** Default: the `test`/`test` principal. The first principal is the fallback caller in non-strict mode. */
  principals?: Principal[];
  /** Reject unknown access keys and bad or missing signatures. Default false. */
  strictSigV4?: boolean;
  /** Region used when a request carries no credential scope. Default us-east-1. */
  defaultRegion?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  routes?: HttpRoute[];
  logger?: Logger;
  /** Serve https (and wss) with this key and certificate (PEM) instead of plain http. */
  tls?: { keyPem: string; certPem: string };
}

export interface ApiServer {
  readonly server: http.Server;
  /** http://127.0.0.1:<port>, or https:// with `tls` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket (keep-alive and upgraded ones included). */
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const KEEP_ALIVE_TIMEOUT_MS = 60_000;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? "127.0.0.1";
  const handleAws = createAwsHandler({
    providers: options.providers,
    principals: options.principals ?? [DEFAULT_PRINCIPAL],
    strictSigV4: options.strictSigV4 ?? false,
    defaultRegion: options.defaultRegion ?? "us-east-1",
    logger,
  });
  const routes = [...(options.routes ?? [])].sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = await readBody(req);
    if (body === "too-large") {
      res.setHeader("connection", "close");
      return sendJsonError(
        res,
        413,
        "RequestEntityTooLargeException",
        `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
      );
    }
    const path = (req.url ?? "/").split("?")[0]!;
    const method = (req.method ?? "").toUpperCase();
    const route = routes.find((r) => r.method.toUpperCase() === method && path.startsWith(r.pathPrefix));
    if (route) return route.handle(req, res, body);
    if (path === "/" && method === "POST") return handleAws(req, res, body);
    sendJsonError(res, 404, "UnknownOperationException", `No route for ${method} ${path}`);
  };

  const listener: http.RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Path only: a query string may carry presigned credentials.
      const path = (req.url ?? "").split("?")[0];
      logger.error(`${req.method} ${path} failed: ${err instanceof Error ? err.stack : String(err)}`);
      if (res.headersSent) res.destroy();
      else sendJsonError(res, 500, "InternalFailure", "The request processing has failed.");
    });
  };
  const server: http.Server = options.tls
    ? https.createServer(
        // HTTP/1.1 only, never h2: with h2 offered the real agent's REST calls switch to HTTP/2
        // (real-agent-observations.md C2), which this server does not speak.
        { key: options.tls.keyPem, cert: options.tls.certPem, ALPNProtocols: ["http/1.1"] },
        listener,
      )
    : http.createServer(listener);
  // Node closes an idle keep-alive connection after 5 s by default; an SDK client that reuses it at that
  // moment fails with ECONNRESET (seen under load). Idle connections live a minute, as behind AWS's front
  // doors, and headersTimeout must exceed keepAliveTimeout.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  if (options.tls) {
    // A client that does not trust the CA aborts the handshake: one debug line, no stack.
    server.on("tlsClientError", (error: Error) => logger.debug(`TLS handshake failed: ${error.message}`));
  }
  // The raw TCP sockets, for TLS too: destroying one tears down the TLS session (and an upgrade) on it.
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info(`listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** The whole body, or "too-large" past MAX_BODY_BYTES (then the rest is not read). */
function readBody(req: http.IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return resolve("too-large");
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners("data");
        req.pause();
        resolve("too-large");
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJsonError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const text = JSON.stringify({ __type: code, message });
  res
    .writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(text),
      "x-amzn-ErrorType": code,
    })
    .end(text);
}
