/**
 * The typed view of a Session document that the rest of the emulator consumes (the gateway's timers, the
 * agent's logging), after StartSession `Parameters` have been substituted into `{{name}}` references.
 */
import { detectFormat, parseContent } from "./content";
import { invalidParameters } from "./errors";
import {
  checkInputs,
  type InputStrictness,
  isObject,
  REFERENCE,
  type SessionParameter,
  type SessionType,
  validateSessionDocument,
} from "./session-schema";

export interface SessionPreferences {
  sessionType: SessionType;
  /** Default 20 when "" or absent. */
  idleSessionTimeoutMinutes: number;
  /** null = no maximum. */
  maxSessionDurationMinutes: number | null;
  cloudWatchLogGroupName: string;
  cloudWatchEncryptionEnabled: boolean;
  cloudWatchStreamingEnabled: boolean;
  s3BucketName: string;
  s3KeyPrefix: string;
  s3EncryptionEnabled: boolean;
  kmsKeyId: string;
  runAsEnabled: boolean;
  runAsDefaultUser: string;
  shellProfileLinux: string;
  properties: Record<string, unknown>;
}

export const DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES = 20;

/** What AWS applies when `SSM-SessionManagerRunShell` does not exist: 20 minutes idle, no maximum, no logging. */
export const BUILT_IN_PREFERENCES: Readonly<SessionPreferences> = Object.freeze({
  sessionType: "Standard_Stream",
  idleSessionTimeoutMinutes: DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES,
  maxSessionDurationMinutes: null,
  cloudWatchLogGroupName: "",
  cloudWatchEncryptionEnabled: false,
  cloudWatchStreamingEnabled: false,
  s3BucketName: "",
  s3KeyPrefix: "",
  s3EncryptionEnabled: false,
  kmsKeyId: "",
  runAsEnabled: false,
  runAsDefaultUser: "",
  shellProfileLinux: "",
  properties: Object.freeze({}),
});

export interface ResolveOptions {
  /** Use the store's setting (`DocumentStore.inputs`). Default strict. */
  inputs?: InputStrictness;
}

type ParameterValue = string | boolean | string[];

/**
 * @param documentContent the document content (JSON or YAML text, or the parsed object)
 * @param parameters StartSession `Parameters`
 * @throws AwsServiceError InvalidDocumentContent / InvalidDocumentSchemaVersion for a document that is not a
 *   valid Session document; InvalidParameters for parameters that do not fit it.
 */
export function resolveSessionPreferences(
  documentContent: string | Record<string, unknown>,
  parameters: Record<string, string[]> = {},
  options: ResolveOptions = {},
): SessionPreferences {
  const strictness = options.inputs ?? "strict";
  const body =
    typeof documentContent === "string"
      ? parseContent(documentContent, detectFormat(documentContent))
      : documentContent;
  const doc = validateSessionDocument(body, strictness);
  const values = parameterValues(doc.parameters, parameters);
  const inputs = substitute(doc.inputs, values) as Record<string, unknown>;
  checkInputs(inputs, strictness, (message) => invalidParameters(message));
  const shellProfile = isObject(inputs["shellProfile"]) ? inputs["shellProfile"] : {};
  return {
    sessionType: doc.sessionType,
    idleSessionTimeoutMinutes:
      minutes(inputs["idleSessionTimeout"], 60) ?? DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES,
    maxSessionDurationMinutes: minutes(inputs["maxSessionDuration"], 1440) ?? null,
    cloudWatchLogGroupName: text(inputs["cloudWatchLogGroupName"]),
    cloudWatchEncryptionEnabled: flag(inputs["cloudWatchEncryptionEnabled"]),
    cloudWatchStreamingEnabled: flag(inputs["cloudWatchStreamingEnabled"]),
    s3BucketName: text(inputs["s3BucketName"]),
    s3KeyPrefix: text(inputs["s3KeyPrefix"]),
    s3EncryptionEnabled: flag(inputs["s3EncryptionEnabled"]),
    kmsKeyId: text(inputs["kmsKeyId"]),
    runAsEnabled: flag(inputs["runAsEnabled"]),
    runAsDefaultUser: text(inputs["runAsDefaultUser"]),
    shellProfileLinux: text(shellProfile["linux"]),
    properties: substitute(doc.properties, values) as Record<string, unknown>,
  };
}

/** Each declared parameter's value: the one given, else its default; typed by the declaration. */
function parameterValues(
  declared: SessionParameter[],
  given: Record<string, string[]>,
): Map<string, ParameterValue> {
  const byName = new Map(declared.map((p) => [p.name, p]));
  const unknown = Object.keys(given).filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw invalidParameters(`Parameters ${unknown.join(", ")} are not defined in the document.`);
  }
  const values = new Map<string, ParameterValue>();
  for (const p of declared) {
    const raw = given[p.name] ?? p.default;
    if (raw === undefined)
      throw invalidParameters(`Parameter ${p.name} is required: it has no default value.`);
    values.set(p.name, typedValue(p, raw));
  }
  return values;
}

function typedValue(p: SessionParameter, raw: ParameterValue): ParameterValue {
  const fail = (problem: string) => invalidParameters(`Parameter ${p.name} ${problem}.`);
  if (p.type === "StringList") {
    const list = Array.isArray(raw) ? raw : [String(raw)];
    if (p.minItems !== undefined && list.length < p.minItems)
      throw fail(`needs at least ${p.minItems} values`);
    if (p.maxItems !== undefined && list.length > p.maxItems)
      throw fail(`takes at most ${p.maxItems} values`);
    for (const item of list) checkAllowed(p, item, fail);
    return list;
  }
  if (Array.isArray(raw) && raw.length !== 1) throw fail("takes exactly one value");
  const value = Array.isArray(raw) ? raw[0]! : raw;
  if (p.type === "Boolean") {
    if (value !== true && value !== false && value !== "true" && value !== "false") {
      throw fail('must be "true" or "false"');
    }
    return value === true || value === "true";
  }
  const s = String(value);
  if (p.minChars !== undefined && s.length < p.minChars)
    throw fail(`must have at least ${p.minChars} characters`);
  if (p.maxChars !== undefined && s.length > p.maxChars)
    throw fail(`must have at most ${p.maxChars} characters`);
  checkAllowed(p, s, fail);
  return s;
}

function checkAllowed(p: SessionParameter, value: string, fail: (problem: string) => Error): void {
  if (p.allowedValues && !p.allowedValues.includes(value)) {
    throw fail(
      `value ${JSON.stringify(value)} is not one of the allowed values [${p.allowedValues.join(", ")}]`,
    );
  }
  if (p.allowedPattern !== undefined && !new RegExp(p.allowedPattern).test(value)) {
    throw fail(`value ${JSON.stringify(value)} does not match the allowed pattern ${p.allowedPattern}`);
  }
}

/**
 * Replaces `{{name}}` references. A string that is exactly one reference takes the parameter's typed value
 * (so `"{{streaming}}"` with a Boolean parameter becomes a JSON boolean); embedded references are replaced
 * by text (StringList items joined with commas). `{{ssm:...}}` references stay as written.
 */
function substitute(value: unknown, values: Map<string, ParameterValue>): unknown {
  if (typeof value === "string") {
    const whole = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(value);
    if (whole && values.has(whole[1]!)) return values.get(whole[1]!);
    return value.replace(REFERENCE, (ref, name: string) => {
      const v = values.get(name);
      if (v === undefined) return ref;
      return Array.isArray(v) ? v.join(",") : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

/** Whole minutes in [1, max]; undefined for "" or, in lenient mode, anything unreadable. */
function minutes(value: unknown, max: number): number | undefined {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  return Math.min(max, Math.max(1, Math.round(n)));
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function flag(value: unknown): boolean {
  return value === true || value === "true";
}
