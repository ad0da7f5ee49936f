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
import type { AccountFaults, AccountSeed } from "../../emulator/faults";
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
export function compliantSeed(encryptedLogGroup: string): AccountSeed {
  return {
    idleSessionTimeout: "15",
    maxSessionDuration: "720",
    cloudWatchLogGroupName: encryptedLogGroup,
    cloudWatchEncryptionEnabled: true,
    cloudWatchStreamingEnabled: true,
  };
}

export async function createCompliantPreferences(ssm: SSMClient, encryptedLogGroup: string): Promise<void> {
  await createPreferences(ssm, compliantSeed(encryptedLogGroup));
}

/**
 * The account's default preferences: compliant, or as a fault profile's account seed rewrites them (an
 * account that fails the audit, emulator/faults); the seed's retention goes on the group it names.
 */
export async function seedDefaultPreferences(
  clients: { ssm: SSMClient; logs: CloudWatchLogsClient },
  groups: LogGroupFixtures,
  faults?: AccountFaults,
): Promise<void> {
  const compliant = compliantSeed(groups.encrypted);
  const seed = faults ? faults.seed(compliant, groups) : compliant;
  await createPreferences(clients.ssm, seed);
  if (seed.retentionInDays !== undefined) {
    await clients.logs.send(
      new PutRetentionPolicyCommand({
        logGroupName: seed.cloudWatchLogGroupName,
        retentionInDays: seed.retentionInDays,
      }),
    );
  }
}

async function createPreferences(ssm: SSMClient, seed: AccountSeed): Promise<void> {
  const { retentionInDays: _retention, ...inputs } = seed;
  try {
    await ssm.send(
      new CreateDocumentCommand({
        Name: DEFAULT_PREFERENCES_DOCUMENT,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: sessionDocumentContent(inputs),
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
