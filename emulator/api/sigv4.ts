/**
 * SigV4 verification of an incoming request: parse the Authorization header, look up the principal, re-sign
 * the same request (same signed headers, same X-Amz-Date) with its secret and compare in constant time.
 * Exported on its own so that other front doors (the messages gateway) can authenticate the same way.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { findPrincipal, type Principal } from "./credentials";
import {
  incompleteSignature,
  invalidSignature,
  missingAuthenticationToken,
  unrecognizedClient,
} from "./errors";

export interface AuthOptions {
  /** Known principals; the first one is the fallback in non-strict mode. */
  principals: readonly Principal[];
  /** Reject unknown keys and bad or missing signatures instead of falling back to the first principal. */
  strict: boolean;
  defaultRegion: string;
  /** Signing name the request must be scoped to (checked in strict mode), when known. */
  service?: string;
}

export interface Authenticated {
  principal: Principal;
  /** Region of the credential scope, or the default region when there is none. */
  region: string;
  /** Whether the signature was checked and matched. */
  verified: boolean;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

/** Parses `AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ssm/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  if (!header.startsWith(`${ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const scope = fields.get("Credential")?.split("/");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (scope?.length !== 5 || scope[4] !== "aws4_request" || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

export async function authenticate(
  req: http.IncomingMessage,
  body: Buffer,
  options: AuthOptions,
): Promise<Authenticated> {
  const fallback = (region = options.defaultRegion): Authenticated => {
    const principal = options.principals[0];
    if (!principal) throw unrecognizedClient();
    return { principal, region, verified: false };
  };
  const header = req.headers.authorization;
  if (!header) {
    if (options.strict) throw missingAuthenticationToken();
    return fallback();
  }
  const auth = parseAuthorization(header);
  if (!auth) {
    if (options.strict) throw incompleteSignature();
    return fallback();
  }
  const principal = findPrincipal(options.principals, auth.accessKeyId);
  if (!principal) {
    if (options.strict) throw unrecognizedClient();
    return fallback(auth.region);
  }
  if (options.strict && options.service && auth.service !== options.service) {
    throw invalidSignature(`Credential should be scoped to correct service: '${options.service}'. `);
  }
  const verified = await signatureMatches(req, body, auth, principal);
  if (!verified && options.strict) throw invalidSignature();
  // Non-strict: a known key identifies its principal even when the signature is wrong.
  return { principal, region: auth.region, verified };
}

async function signatureMatches(
  req: http.IncomingMessage,
  body: Buffer,
  auth: ParsedAuthorization,
  principal: Principal,
): Promise<boolean> {
  const signingDate = parseAmzDate(headerValue(req, "x-amz-date"));
  if (!signingDate || !auth.signedHeaders.includes("x-amz-date")) return false;
  if (signingDate.toISOString().slice(0, 10).replaceAll("-", "") !== auth.date) return false;

  // The signer trusts a client-supplied payload hash, so check it against the body we actually got.
  const payloadHash = headerValue(req, "x-amz-content-sha256");
  if (payloadHash !== undefined && payloadHash !== "UNSIGNED-PAYLOAD") {
    if (!constantTimeEqual(payloadHash, createHash("sha256").update(body).digest("hex"))) return false;
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(req, name);
    if (value === undefined) return false;
    headers[name] = value;
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prev = query[key];
    query[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname); // the SDK signs the unescaped path and escapes it while signing
  } catch {
    return false;
  }
  const request = new HttpRequest({
    method: req.method ?? "GET",
    protocol: "http:",
    hostname: "localhost",
    path,
    query,
    headers,
    body,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: false, // hash the payload only if the client sent (and signed) x-amz-content-sha256
  });
  const signed = await signer.sign(request, {
    signingDate,
    // Sign exactly what the client listed, including headers SigV4 would normally skip.
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = parseAuthorization(String(signed.headers.authorization))?.signature ?? "";
  return constantTimeEqual(expected, auth.signature);
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** `20240101T000000Z` to a Date. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
