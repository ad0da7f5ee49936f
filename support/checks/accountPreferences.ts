/**
 * Reads the account's default session preferences (SSM-SessionManagerRunShell, the version StartSession
 * uses) and the log group they name: the facts the preferences audit compares with the policy.
 */
import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetDocumentCommand, InvalidDocument, type SSMClient } from "@aws-sdk/client-ssm";
import {
  BUILT_IN_PREFERENCES,
  resolveSessionPreferences,
  type SessionPreferences,
} from "../../emulator/ssm/documents";
import { DEFAULT_PREFERENCES_DOCUMENT } from "../targets/accountFixtures";

export interface LogGroupFacts {
  name: string;
  exists: boolean;
  kmsKeyId?: string;
  /** Undefined: never expire. */
  retentionInDays?: number;
}

export interface AccountPreferences {
  documentName: string;
  /** False when the account never saved preferences: AWS then applies its built-in defaults. */
  documentFound: boolean;
  documentVersion?: string;
  preferences: SessionPreferences;
  logGroup?: LogGroupFacts;
}

export async function readAccountPreferences(
  ssm: SSMClient,
  logs: CloudWatchLogsClient,
): Promise<AccountPreferences> {
  let content: string | undefined;
  let documentVersion: string | undefined;
  try {
    const doc = await ssm.send(
      new GetDocumentCommand({ Name: DEFAULT_PREFERENCES_DOCUMENT, DocumentVersion: "$LATEST" }),
    );
    content = doc.Content;
    documentVersion = doc.DocumentVersion;
  } catch (error) {
    if (!(error instanceof InvalidDocument)) throw error;
  }
  // Real accounts hold documents AWS accepted, so read them leniently.
  const preferences = content
    ? resolveSessionPreferences(content, {}, { inputs: "lenient" })
    : { ...BUILT_IN_PREFERENCES };
  const groupName = preferences.cloudWatchLogGroupName;
  return {
    documentName: DEFAULT_PREFERENCES_DOCUMENT,
    documentFound: content !== undefined,
    documentVersion,
    preferences,
    logGroup: groupName ? await describeLogGroup(logs, groupName) : undefined,
  };
}

async function describeLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroupFacts> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }));
    const group = page.logGroups?.find((g) => g.logGroupName === name);
    if (group)
      return { name, exists: true, kmsKeyId: group.kmsKeyId, retentionInDays: group.retentionInDays };
    nextToken = page.nextToken;
  } while (nextToken);
  return { name, exists: false };
}
