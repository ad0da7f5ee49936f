/**
 * The one redaction module: masks credentials and tokens in anything the harness prints or writes (CLI
 * errors, every report file). Reports are built from redacted data: `redactDeep` runs on every value read
 * from a message stream, so nothing downstream can see a secret.
 */
export const REDACTED = "[redacted]";

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values (SigV4 carries the access key id and signature; Bearer tokens).
  [/\b(Authorization["']?\s*[:=]\s*["']?)[^"'\r\n]+/gi, `$1${REDACTED}`],
  // Values named as secrets: TokenValue, SessionToken, X-Amz-Security-Token, X-Amz-Signature, secret keys.
  [
    /\b([\w-]*(?:token|secret|password|signature|credential)[\w-]*["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
    `$1${REDACTED}`,
  ],
  // Query strings of URLs, e.g. a StreamUrl or a presigned URL (tokens, X-Amz-* parameters).
  [/\b((?:wss?|https?):\/\/[^\s"'<>?]+)\?[^\s"'<>]+/gi, `$1?${REDACTED}`],
  // Access key ids.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  // STS session tokens, recognisable by their base64 prefix even when unlabelled.
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]+/g, REDACTED],
  // Secret access keys: 40 base64 characters mixing upper case, lower case and digits.
  [
    /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*\d)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    REDACTED,
  ],
];

/** Object keys whose values are secrets whatever they look like. */
const SECRET_KEY = /token|secret|password|signature|credential|authorization|accesskey/i;

export function redact(text: string): string {
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** A copy of a JSON-like value with every string redacted and every secret-named key's value masked. */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        SECRET_KEY.test(key) && v !== null && typeof v !== "object" ? REDACTED : walk(v),
      ]),
    );
  }
  return value;
}
