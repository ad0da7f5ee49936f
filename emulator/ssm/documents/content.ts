/** Document content: parsing by format, validation by document type, and re-rendering for GetDocument. */
import { invalidContent, invalidSchemaVersion } from "./errors";
import {
  type InputStrictness,
  isObject,
  type SessionDocument,
  validateSessionDocument,
} from "./session-schema";
import { emitYaml, parseYaml, YamlError } from "./yaml";

export type ContentFormat = "JSON" | "YAML";
/** The document types the emulator stores: Session in full, Command minimally (so StartSession can refuse it). */
export type StoredDocumentType = "Session" | "Command";

/** DocumentDescription.Parameters entry. */
export interface DocumentParameterInfo {
  Name: string;
  Type: string;
  Description?: string;
  DefaultValue?: string;
}

interface ValidatedContent {
  body: Record<string, unknown>;
  schemaVersion: string;
  description?: string;
  parameters: DocumentParameterInfo[];
}

const COMMAND_SCHEMA_VERSIONS = ["1.2", "2.0", "2.2"];

export function parseContent(content: string, format: ContentFormat): Record<string, unknown> {
  let body: unknown;
  try {
    body = format === "JSON" ? JSON.parse(content) : parseYaml(content);
  } catch (err) {
    const detail = err instanceof SyntaxError || err instanceof YamlError ? ` ${err.message}` : "";
    throw invalidContent(`The content for the document isn't valid ${format}.${detail}`);
  }
  if (!isObject(body))
    throw invalidContent("The content for the document isn't valid: it must be an object.");
  return body;
}

/** For content handed over without its format: JSON documents start with `{`, anything else is YAML. */
export function detectFormat(content: string): ContentFormat {
  return content.trimStart().startsWith("{") ? "JSON" : "YAML";
}

export function renderContent(body: Record<string, unknown>, format: ContentFormat): string {
  return format === "JSON" ? JSON.stringify(body, null, 2) : emitYaml(body);
}

export function validateContent(
  type: StoredDocumentType,
  body: Record<string, unknown>,
  strictness: InputStrictness,
): ValidatedContent {
  if (type === "Session") return describeSession(body, validateSessionDocument(body, strictness));
  const schemaVersion = body["schemaVersion"];
  if (typeof schemaVersion !== "string" || !COMMAND_SCHEMA_VERSIONS.includes(schemaVersion)) {
    throw invalidSchemaVersion(
      `${String(schemaVersion)} is not a valid schema version for Command document type`,
    );
  }
  const description = body["description"];
  return {
    body,
    schemaVersion,
    ...(typeof description === "string" ? { description } : {}),
    parameters: isObject(body["parameters"]) ? commandParameters(body["parameters"]) : [],
  };
}

function describeSession(body: Record<string, unknown>, doc: SessionDocument): ValidatedContent {
  return {
    body,
    schemaVersion: doc.schemaVersion,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    parameters: doc.parameters.map((p) => ({
      Name: p.name,
      Type: p.type,
      ...(p.description === undefined ? {} : { Description: p.description }),
      ...(p.default === undefined ? {} : { DefaultValue: defaultText(p.default) }),
    })),
  };
}

/** Command parameters are not validated, only described. */
function commandParameters(params: Record<string, unknown>): DocumentParameterInfo[] {
  return Object.entries(params).map(([name, spec]) => {
    const s = isObject(spec) ? spec : {};
    return {
      Name: name,
      Type: typeof s["type"] === "string" ? s["type"] : "String",
      ...(typeof s["description"] === "string" ? { Description: s["description"] } : {}),
      ...(s["default"] === undefined ? {} : { DefaultValue: defaultText(s["default"]) }),
    };
  });
}

function defaultText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
