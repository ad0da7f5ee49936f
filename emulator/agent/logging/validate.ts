import type { LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import { z } from "zod";
import { type Logger, silentLogger } from "../../logger";
import type { LogsApi } from "./logsApi";

/** The agent's warning when the log group is missing or cannot be checked (spec 13.2). */
export const LOG_GROUP_WARNING =
  "The CloudWatch log group specified in session preferences either does not exist or unable to validate its existence. This might result in no logging of session data to CloudWatch.";

/** The agent's failure text when encryption is required and the log group has no KMS key (spec 13.2). */
export const CLOUDWATCH_ENCRYPTION_ERROR =
  "We couldn't start the session because encryption is not set up on the selected CloudWatch Logs log group. Either encrypt the log group or choose an option to enable logging without encryption.";

/** Session document inputs that decide CloudWatch logging (spec 12.1), as received. */
export interface LoggingPrefs {
  cloudWatchLogGroupName?: string;
  cloudWatchEncryptionEnabled?: boolean | string;
  cloudWatchStreamingEnabled?: boolean | string;
}

/** How the session is logged to CloudWatch: not at all, one upload at the end, or streamed. */
export type LoggingMode = "off" | "upload" | "streaming";

export type LoggingValidation =
  | { ok: true; mode: LoggingMode; streaming: boolean; warnings: string[] }
  | { ok: false; error: string };

// The agent accepts a JSON bool or "true"/"false"/"" for the encryption flag, but decodes
// cloudWatchStreamingEnabled into a plain Go bool.
const prefsSchema = z.object({
  cloudWatchLogGroupName: z.string().optional(),
  cloudWatchEncryptionEnabled: z
    .union([z.boolean(), z.enum(["true", "false", ""]).transform((v) => v === "true")])
    .optional(),
  cloudWatchStreamingEnabled: z.boolean().optional(),
});

/**
 * The agent's check before the shell starts (shell.go `validate`). A group that DescribeLogGroups does not
 * list, or a failing call, gives a warning and no streaming; with streaming off the agent still attempts
 * the upload at the end (whose CreateLogStream then fails). Requiring encryption on a group without
 * `kmsKeyId`, including one that could not be found, fails the session.
 *
 * The warning is only logged by the agent version read (3.3.x); returning it lets the caller also write it
 * to the session output. A string `cloudWatchStreamingEnabled` fails here with a descriptive error, whereas
 * the agent cannot decode such a payload at all and drops the session without any reply.
 */
export async function validateLogging(
  prefs: LoggingPrefs,
  logsApi: LogsApi,
  logger: Logger = silentLogger,
): Promise<LoggingValidation> {
  const parsed = prefsSchema.safeParse(prefs);
  if (!parsed.success)
    return { ok: false, error: `invalid session logging preferences: ${parsed.error.message}` };
  const {
    cloudWatchLogGroupName: group = "",
    cloudWatchEncryptionEnabled,
    cloudWatchStreamingEnabled,
  } = parsed.data;
  if (group === "") return { ok: true, mode: "off", streaming: false, warnings: [] };

  const warnings: string[] = [];
  let streaming = cloudWatchStreamingEnabled === true;
  const found = await findLogGroup(group, logsApi, logger);
  if (found === undefined) {
    logger.warn(LOG_GROUP_WARNING);
    warnings.push(LOG_GROUP_WARNING);
    streaming = false;
  }
  if (cloudWatchEncryptionEnabled === true && found?.kmsKeyId == null) {
    return { ok: false, error: CLOUDWATCH_ENCRYPTION_ERROR };
  }
  const mode: LoggingMode = streaming ? "streaming" : cloudWatchStreamingEnabled === true ? "off" : "upload";
  return { ok: true, mode, streaming, warnings };
}

/** DescribeLogGroups by prefix through every page, as the agent does; any failed call means "not found". */
async function findLogGroup(name: string, logsApi: LogsApi, logger: Logger): Promise<LogGroup | undefined> {
  let found: LogGroup | undefined;
  let nextToken: string | undefined;
  try {
    do {
      const page = await logsApi.describeLogGroups({ logGroupNamePrefix: name, nextToken });
      found = page.logGroups?.find((group) => group.logGroupName === name) ?? found;
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (err) {
    logger.error(`Error in calling DescribeLogGroups:${String(err)}`);
    return undefined;
  }
  return found;
}
