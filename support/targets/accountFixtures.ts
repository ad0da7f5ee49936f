/**
 * What a local target sets up so the account looks like a well-run one: the log groups the behaviour
 * scenarios write to, and default session preferences that meet the default policy. Done through the
 * public APIs only, as a user would.
 */
import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateDocumentCommand, DocumentAlreadyExists, type SSMClient } from "@aws-sdk/client-ssm";
import { sessionDocumentContent } from "../documents/sessionDocument";
import type { LogGroupFixtures } from "./target";

export const DEFAULT_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell";

export async function createLogGroupFixtures(
  logs: CloudWatchLogsClient,
  kmsKeyArn: string,
  prefix = "/ssm-conformance/sessions",
): Promise<LogGroupFixtures> {
  const fixtures: LogGroupFixtures = { plain: `${prefix}/plain`, encrypted: `${prefix}/encrypted` };
  await ensureLogGroup(logs, fixtures.plain);
  await ensureLogGroup(logs, fixtures.encrypted, kmsKeyArn);
  return fixtures;
}

/** A compliant SSM-SessionManagerRunShell: idle 15 min, 12 h maximum, encrypted streaming logs. */
export async function createCompliantPreferences(ssm: SSMClient, encryptedLogGroup: string): Promise<void> {
  try {
    await ssm.send(
      new CreateDocumentCommand({
        Name: DEFAULT_PREFERENCES_DOCUMENT,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: sessionDocumentContent({
          idleSessionTimeout: "15",
          maxSessionDuration: "720",
          cloudWatchLogGroupName: encryptedLogGroup,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
        }),
      }),
    );
  } catch (error) {
    if (!(error instanceof DocumentAlreadyExists)) throw error;
  }
}

async function ensureLogGroup(logs: CloudWatchLogsClient, name: string, kmsKeyId?: string): Promise<void> {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name, kmsKeyId }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: 365 }));
}
