/** Masks credentials and tokens in text the CLI prints (error reasons can come from anywhere). */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
const SECRET_ASSIGNMENT =
  /\b([\w-]*(?:token|secret|password|signature|credential)[\w-]*["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi;

export function redact(text: string): string {
  return text.replace(ACCESS_KEY_ID, "[redacted]").replace(SECRET_ASSIGNMENT, "$1[redacted]");
}
