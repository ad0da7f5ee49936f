/**
 * Request validation for the logs provider: zod schemas whose failures read like AWS's own validation
 * errors (`1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member
 * must not be null`), raised as InvalidParameterException as CloudWatch Logs does. The builders attach the
 * AWS constraint texts as "Member must ..." messages, which the shared `parseInput` reports verbatim.
 */
import { z } from "zod";

export { parseInput } from "../api/validate";

// ---- Schema builders carrying the AWS constraint texts ----

export function awsString(opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {}) {
  let s = z.string();
  if (opts.min !== undefined)
    s = s.min(opts.min, { message: `Member must have length greater than or equal to ${opts.min}` });
  if (opts.max !== undefined)
    s = s.max(opts.max, { message: `Member must have length less than or equal to ${opts.max}` });
  if (opts.pattern)
    s = s.regex(opts.pattern, {
      message: `Member must satisfy regular expression pattern: ${opts.patternText ?? opts.pattern.source}`,
    });
  return s;
}

export function awsInt(opts: { min?: number; max?: number } = {}) {
  let s = z.number().int();
  if (opts.min !== undefined)
    s = s.min(opts.min, { message: `Member must have value greater than or equal to ${opts.min}` });
  if (opts.max !== undefined)
    s = s.max(opts.max, { message: `Member must have value less than or equal to ${opts.max}` });
  return s;
}

export function awsList<T extends z.ZodType>(item: T, opts: { min?: number; max?: number } = {}) {
  let s = z.array(item);
  if (opts.min !== undefined)
    s = s.min(opts.min, { message: `Member must have length greater than or equal to ${opts.min}` });
  if (opts.max !== undefined)
    s = s.max(opts.max, { message: `Member must have length less than or equal to ${opts.max}` });
  return s;
}

export function awsEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { message: `Member must satisfy enum value set: [${values.join(", ")}]` });
}

// ---- Shapes shared by several operations (constraints from the CloudWatch Logs model) ----

export const LOG_GROUP_NAME = awsString({
  min: 1,
  max: 512,
  pattern: /^[.\-_/#A-Za-z0-9]+$/,
  patternText: "[\\.\\-_/#A-Za-z0-9]+",
});
export const LOG_GROUP_IDENTIFIER = awsString({
  min: 1,
  max: 2048,
  pattern: /^[\w#+=/:,.@-]*$/,
  patternText: "[\\w#+=/:,.@-]*",
});
export const LOG_STREAM_NAME = awsString({ min: 1, max: 512, pattern: /^[^:*]*$/, patternText: "[^:*]*" });
export const NEXT_TOKEN = awsString({ min: 1 });
export const TIMESTAMP = awsInt({ min: 0 });
export const KMS_KEY_ID = awsString({ max: 256 });
export const TAG_KEY = awsString({
  min: 1,
  max: 128,
  pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u,
  patternText: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$",
});
export const TAG_VALUE = awsString({
  max: 256,
  pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  patternText: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
});
export const TAGS = z.record(TAG_KEY, TAG_VALUE).superRefine((tags, ctx) => {
  const n = Object.keys(tags).length;
  if (n < 1)
    ctx.addIssue({
      code: "custom",
      message: "Member must have length greater than or equal to 1",
      input: tags,
    });
  if (n > 50)
    ctx.addIssue({
      code: "custom",
      message: "Member must have length less than or equal to 50",
      input: tags,
    });
});
