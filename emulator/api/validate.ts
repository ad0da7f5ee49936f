/**
 * Input validation for providers: a zod schema in, AWS-style errors out, e.g.
 * `1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null`.
 * A value of the wrong JSON type is a `SerializationException`, as AWS rejects it before validating.
 * A schema can set its own constraint text by giving a check a message that starts with "Member must"
 * (useful where the AWS pattern text differs from the JS regex).
 */
import type { z } from "zod";
import { serializationError } from "./errors";
import { AwsServiceError } from "./provider";

type Issue = z.core.$ZodIssue;

/** Parses `input` with `schema`; on failure throws `errorCode` (`ValidationException` for SSM, `InvalidParameterException` for Logs). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, errorCode: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const typeIssue = issues.find(
    (i): i is z.core.$ZodIssueInvalidType => i.code === "invalid_type" && valueAt(input, i.path) != null,
  );
  if (typeIssue)
    throw serializationError(wrongTypeMessage(valueAt(input, typeIssue.path), typeIssue.expected));
  const details = [
    ...new Set(
      issues.map(
        (i) =>
          `Value ${formatValue(valueAt(input, i.path))} at '${awsPath(i.path)}' failed to satisfy constraint: ${constraint(i)}`,
      ),
    ),
  ];
  const count = `${details.length} validation error${details.length === 1 ? "" : "s"} detected`;
  throw new AwsServiceError(errorCode, `${count}: ${details.join("; ")}`);
}

function constraint(issue: Issue): string {
  if (issue.message.startsWith("Member must")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return "Member must not be null";
    case "too_small":
    case "too_big": {
      const what = issue.origin === "number" || issue.origin === "bigint" ? "value" : "length";
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const cmp = issue.code === "too_small" ? "greater" : "less";
      return `Member must have ${what} ${cmp} than${issue.inclusive === false ? "" : " or equal to"} ${bound}`;
    }
    case "invalid_format":
      return issue.format === "regex" && issue.pattern
        ? `Member must satisfy regular expression pattern: ${issue.pattern.replace(/^\/(.*)\/[a-z]*$/s, "$1")}`
        : issue.message;
    case "invalid_value":
      return `Member must satisfy enum value set: [${issue.values.map(String).join(", ")}]`;
    default:
      return issue.message;
  }
}

/** The wording of the AWS (Coral) JSON deserialiser. */
function wrongTypeMessage(value: unknown, expected: string): string {
  if (Array.isArray(value)) return "Start of list found where not expected";
  if (typeof value === "object") return "Start of structure or map found where not expected.";
  const token =
    typeof value === "string" ? "STRING_VALUE" : typeof value === "number" ? "NUMBER_VALUE" : "VALUE";
  const target: Record<string, string> = {
    number: "Long",
    int: "Long",
    boolean: "Boolean",
    string: "String",
  };
  return `${token} can not be converted to a ${target[expected] ?? expected}`;
}

/** AWS member paths: lower camel case segments, list items as `<n>.member` (1-based). */
function awsPath(path: PropertyKey[]): string {
  return path
    .map((seg) =>
      typeof seg === "number"
        ? `${seg + 1}.member`
        : `${String(seg).charAt(0).toLowerCase()}${String(seg).slice(1)}`,
    )
    .join(".");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const seg of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return value;
}

/** As AWS prints values: strings and numbers quoted, lists Java-style. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value))
    return `'[${value.map((v) => (typeof v === "object" ? "..." : String(v))).join(", ")}]'`;
  return `'${typeof value === "object" ? JSON.stringify(value) : String(value)}'`;
}
