/**
 * The Session document schema (spec 12.1): what CreateDocument/UpdateDocument accept for DocumentType
 * Session, and the input checks that resolveSessionPreferences repeats after parameter substitution.
 */
import { invalidContent, invalidSchemaVersion } from "./errors";

export const SESSION_TYPES = [
  "Standard_Stream",
  "InteractiveCommands",
  "NonInteractiveCommands",
  "Port",
] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

/**
 * How hard to look at the inputs AWS does not document the validation of (spec 17, question 5):
 * - strict (default): `idleSessionTimeout` "1".."60" or "", `maxSessionDuration` "1".."1440" or "", both
 *   strings only; `cloudWatchStreamingEnabled` a JSON boolean only (the agent decodes it as a bool).
 * - lenient: those values are accepted as they come (numbers too) and normalised when preferences are
 *   resolved: out-of-range minutes are clamped, unreadable ones fall back to the default.
 */
export type InputStrictness = "strict" | "lenient";

const PARAMETER_TYPES = ["String", "Boolean", "StringList"] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface SessionParameter {
  name: string;
  type: ParameterType;
  description?: string;
  default?: string | boolean | string[];
  allowedValues?: string[];
  allowedPattern?: string;
  minChars?: number;
  maxChars?: number;
  minItems?: number;
  maxItems?: number;
}

export interface SessionDocument {
  schemaVersion: "1.0";
  description?: string;
  sessionType: SessionType;
  /** Raw inputs, possibly holding `{{parameter}}` references. */
  inputs: Record<string, unknown>;
  parameters: SessionParameter[];
  properties: Record<string, unknown>;
}

const TOP_LEVEL_KEYS = ["schemaVersion", "description", "sessionType", "inputs", "parameters", "properties"];

type InputKind = "string" | "boolean" | "jsonBoolean" | "shellProfile" | { min: number; max: number };

const INPUT_KINDS: Record<string, InputKind> = {
  s3BucketName: "string",
  s3KeyPrefix: "string",
  s3EncryptionEnabled: "boolean",
  cloudWatchLogGroupName: "string",
  cloudWatchEncryptionEnabled: "boolean",
  cloudWatchStreamingEnabled: "jsonBoolean",
  kmsKeyId: "string",
  runAsEnabled: "boolean",
  runAsDefaultUser: "string",
  idleSessionTimeout: { min: 1, max: 60 },
  maxSessionDuration: { min: 1, max: 1440 },
  shellProfile: "shellProfile",
};

const INPUT_NAMES = Object.keys(INPUT_KINDS);

const PARAMETER_KEYS = [
  "type",
  "description",
  "default",
  "allowedValues",
  "allowedPattern",
  "displayType",
  "minChars",
  "maxChars",
  "minItems",
  "maxItems",
];

/** `{{ name }}` references; `{{ssm:...}}` (Parameter Store) is recognised but never resolved here. */
export const REFERENCE = /\{\{\s*([A-Za-z0-9_:./-]+)\s*\}\}/g;

export function validateSessionDocument(
  body: Record<string, unknown>,
  strictness: InputStrictness,
): SessionDocument {
  const schemaVersion = body["schemaVersion"];
  if (schemaVersion === undefined) throw invalidContent("The Session document is missing schemaVersion.");
  if (typeof schemaVersion !== "string") {
    throw invalidSchemaVersion(
      'schemaVersion must be a string; the only valid value for Session documents is "1.0".',
    );
  }
  if (schemaVersion !== "1.0") {
    throw invalidSchemaVersion(`${schemaVersion} is not a valid schema version for Session document type`);
  }
  const unknown = Object.keys(body).filter((k) => !TOP_LEVEL_KEYS.includes(k));
  if (unknown.length > 0) {
    throw invalidContent(
      `Unknown top-level key ${quoteList(unknown)} in Session document. Allowed keys: ${TOP_LEVEL_KEYS.join(", ")}.`,
    );
  }
  const description = body["description"];
  if (description !== undefined && typeof description !== "string") {
    throw invalidContent("description must be a string.");
  }
  const sessionType = body["sessionType"];
  if (!SESSION_TYPES.includes(sessionType as SessionType)) {
    throw invalidContent(
      `sessionType ${sessionType === undefined ? "is missing" : `${JSON.stringify(sessionType)} is not valid`}; it must be one of ${SESSION_TYPES.join(", ")}.`,
    );
  }
  const inputs = body["inputs"];
  if (inputs === undefined && sessionType === "Standard_Stream") {
    throw invalidContent("inputs is required for sessionType Standard_Stream.");
  }
  if (inputs !== undefined && !isObject(inputs)) throw invalidContent("inputs must be an object.");
  const properties = body["properties"];
  if (properties !== undefined && !isObject(properties))
    throw invalidContent("properties must be an object.");

  const parameters = validateParameters(body["parameters"]);
  const declared = new Set(parameters.map((p) => p.name));
  checkInputs(
    inputs ?? {},
    strictness,
    (message) => invalidContent(message),
    (name) => declared.has(name),
  );
  checkReferences(properties ?? {}, "properties", declared);
  return {
    schemaVersion,
    ...(description === undefined ? {} : { description }),
    sessionType: sessionType as SessionType,
    inputs: inputs ?? {},
    parameters,
    properties: properties ?? {},
  };
}

/**
 * Checks every input against its kind. A string holding a `{{parameter}}` reference is checked later, after
 * substitution (then `isDeclared` is undefined and references are plain text); at create time the
 * referenced parameter must be declared.
 */
export function checkInputs(
  inputs: Record<string, unknown>,
  strictness: InputStrictness,
  error: (message: string) => Error,
  isDeclared?: (name: string) => boolean,
): void {
  for (const [name, value] of Object.entries(inputs)) {
    const kind = INPUT_KINDS[name];
    if (!kind) {
      throw error(`Unknown input '${name}' in Session document. Valid inputs: ${INPUT_NAMES.join(", ")}.`);
    }
    if (isDeclared && typeof value === "string" && hasReferences(value)) {
      checkReferences(value, `inputs.${name}`, { has: isDeclared });
      continue;
    }
    const problem = inputProblem(kind, value, strictness, isDeclared);
    if (problem) throw error(`Input ${name} ${problem}; got ${JSON.stringify(value)}.`);
  }
}

function inputProblem(
  kind: InputKind,
  value: unknown,
  strictness: InputStrictness,
  isDeclared?: (name: string) => boolean,
): string | undefined {
  switch (kind) {
    case "string":
      return typeof value === "string" ? undefined : "must be a string";
    case "boolean":
      return isBooleanLike(value)
        ? undefined
        : 'must be a boolean (true/false, or the string "true"/"false")';
    case "jsonBoolean":
      if (typeof value === "boolean" || (strictness === "lenient" && isBooleanLike(value))) return undefined;
      return "must be a JSON boolean (true/false)";
    case "shellProfile":
      return shellProfileProblem(value, isDeclared);
    default:
      return minutesProblem(kind, value, strictness);
  }
}

function minutesProblem(range: { min: number; max: number }, value: unknown, strictness: InputStrictness) {
  const expected = `must be a string holding a whole number of minutes from ${range.min} to ${range.max}, or "" for no value`;
  if (strictness === "lenient")
    return typeof value === "string" || typeof value === "number" ? undefined : expected;
  if (typeof value !== "string") return expected;
  if (value === "") return undefined;
  const minutes = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  return minutes >= range.min && minutes <= range.max ? undefined : expected;
}

function shellProfileProblem(value: unknown, isDeclared?: (name: string) => boolean): string | undefined {
  if (!isObject(value)) return 'must be an object {"windows": string, "linux": string}';
  for (const [key, command] of Object.entries(value)) {
    if (key !== "windows" && key !== "linux") return `has an unknown key '${key}' (allowed: windows, linux)`;
    if (typeof command !== "string") return `.${key} must be a string`;
    if (isDeclared) checkReferences(command, `inputs.shellProfile.${key}`, { has: isDeclared });
  }
  return undefined;
}

function validateParameters(value: unknown): SessionParameter[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw invalidContent("parameters must be an object.");
  return Object.entries(value).map(([name, spec]) => validateParameter(name, spec));
}

function validateParameter(name: string, spec: unknown): SessionParameter {
  const fail = (problem: string) => invalidContent(`Parameter ${name} ${problem}.`);
  if (!/^[A-Za-z0-9_]{1,128}$/.test(name)) throw fail("has an invalid name (letters, digits and _ only)");
  if (!isObject(spec)) throw fail("must be an object");
  const unknown = Object.keys(spec).filter((k) => !PARAMETER_KEYS.includes(k));
  if (unknown.length > 0) throw fail(`has unknown attribute ${quoteList(unknown)}`);
  const type = spec["type"];
  if (!PARAMETER_TYPES.includes(type as ParameterType)) {
    throw fail(`type must be one of ${PARAMETER_TYPES.join(", ")}`);
  }
  const param: SessionParameter = { name, type: type as ParameterType };
  const { description, default: def, allowedValues, allowedPattern } = spec;
  if (description !== undefined) {
    if (typeof description !== "string") throw fail("description must be a string");
    param.description = description;
  }
  if (def !== undefined) {
    if (!defaultFits(param.type, def)) throw fail(`default does not match type ${param.type}`);
    param.default = def as SessionParameter["default"];
  }
  if (allowedValues !== undefined) {
    if (!isStringArray(allowedValues)) throw fail("allowedValues must be a list of strings");
    param.allowedValues = allowedValues;
  }
  if (allowedPattern !== undefined) {
    if (typeof allowedPattern !== "string" || !compiles(allowedPattern)) {
      throw fail("allowedPattern must be a valid regular expression");
    }
    param.allowedPattern = allowedPattern;
  }
  for (const key of ["minChars", "maxChars", "minItems", "maxItems"] as const) {
    const bound = spec[key];
    if (bound === undefined) continue;
    if (!Number.isInteger(bound) || (bound as number) < 0)
      throw fail(`${key} must be a non-negative integer`);
    param[key] = bound as number;
  }
  return param;
}

function defaultFits(type: ParameterType, value: unknown): boolean {
  if (type === "String") return typeof value === "string";
  if (type === "Boolean") return isBooleanLike(value);
  return isStringArray(value);
}

/** Every `{{name}}` under `value` names a declared parameter (Parameter Store references excepted). */
function checkReferences(value: unknown, where: string, declared: { has(name: string): boolean }): void {
  if (typeof value === "string") {
    for (const [, name] of value.matchAll(REFERENCE)) {
      if (!name!.startsWith("ssm:") && !declared.has(name!)) {
        throw invalidContent(
          `${where} references parameter {{${name}}}, which is not declared in parameters.`,
        );
      }
    }
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkReferences(v, `${where}[${i}]`, declared);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) checkReferences(v, `${where}.${k}`, declared);
  }
}

function hasReferences(value: string): boolean {
  return value.search(REFERENCE) >= 0;
}

function isBooleanLike(value: unknown): value is boolean | "true" | "false" {
  return typeof value === "boolean" || value === "true" || value === "false";
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function quoteList(keys: string[]): string {
  return keys.map((k) => `'${k}'`).join(", ");
}
