/**
 * Temporary Session documents: behaviour scenarios never touch the account's SSM-SessionManagerRunShell;
 * they create a document with the preferences they need, pass it as DocumentName, and delete it after.
 * Every document is named and tagged with the run id, so `cleanup --run-id` can find leftovers.
 */
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  InvalidDocument,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { standardStreamDocument } from "../../emulator/ssm/defaultDocument";

/** The Session document inputs a scenario may set (session-manager-spec.md 12.1). */
export interface SessionDocumentInputs {
  idleSessionTimeout?: string;
  maxSessionDuration?: string;
  cloudWatchLogGroupName?: string;
  cloudWatchEncryptionEnabled?: boolean;
  cloudWatchStreamingEnabled?: boolean;
  kmsKeyId?: string;
  runAsEnabled?: boolean;
  runAsDefaultUser?: string;
  shellProfileLinux?: string;
}

export const RUN_ID_TAG = "ssm-conformance:run-id";
export const DOCUMENT_PREFIX = "ssm-conformance";

export function sessionDocumentContent(inputs: SessionDocumentInputs): string {
  const { shellProfileLinux, ...rest } = inputs;
  return JSON.stringify(
    standardStreamDocument(
      { ...rest, shellProfile: { windows: "", linux: shellProfileLinux ?? "" } },
      "Temporary session preferences created by ssm-conformance; safe to delete.",
    ),
  );
}

export class TemporaryDocuments {
  private readonly created = new Set<string>();
  private counter = 0;

  constructor(
    private readonly ssm: SSMClient,
    readonly runId: string,
  ) {}

  async create(inputs: SessionDocumentInputs): Promise<string> {
    const name = `${DOCUMENT_PREFIX}-${this.runId}-${++this.counter}`;
    await this.ssm.send(
      new CreateDocumentCommand({
        Name: name,
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Content: sessionDocumentContent(inputs),
        Tags: [{ Key: RUN_ID_TAG, Value: this.runId }],
      }),
    );
    this.created.add(name);
    return name;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.ssm.send(new DeleteDocumentCommand({ Name: name }));
    } catch (error) {
      if (!(error instanceof InvalidDocument)) throw error;
    }
    this.created.delete(name);
  }

  /** Deletes every document this run still has; returns the names it could not delete. */
  async deleteAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const name of [...this.created]) {
      await this.delete(name).catch(() => failed.push(name));
    }
    return failed;
  }
}

/** A short, sortable, unique id for this run: the date and a random suffix. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}
