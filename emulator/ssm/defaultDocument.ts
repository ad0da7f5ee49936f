/**
 * The Standard_Stream Session document: AWS's built-in defaults (what StartSession uses without a
 * DocumentName when the account has no `SSM-SessionManagerRunShell`: idle timeout 20 minutes, no logging,
 * no maximum duration), and the same document with chosen inputs, as the harness writes its temporary ones.
 */
export const DEFAULT_SESSION_DOCUMENT = "SSM-SessionManagerRunShell";

/** The documented inputs of a Standard_Stream Session document (session-manager-spec.md 12.1). */
export interface StandardStreamInputs {
  s3BucketName: string;
  s3KeyPrefix: string;
  s3EncryptionEnabled: boolean;
  cloudWatchLogGroupName: string;
  cloudWatchEncryptionEnabled: boolean;
  cloudWatchStreamingEnabled: boolean;
  kmsKeyId: string;
  runAsEnabled: boolean;
  runAsDefaultUser: string;
  idleSessionTimeout: string;
  maxSessionDuration: string;
  shellProfile: { windows: string; linux: string };
}

const BUILT_IN_INPUTS: StandardStreamInputs = {
  s3BucketName: "",
  s3KeyPrefix: "",
  s3EncryptionEnabled: false,
  cloudWatchLogGroupName: "",
  cloudWatchEncryptionEnabled: false,
  cloudWatchStreamingEnabled: false,
  kmsKeyId: "",
  runAsEnabled: false,
  runAsDefaultUser: "",
  idleSessionTimeout: "20",
  maxSessionDuration: "",
  shellProfile: { windows: "", linux: "" },
};

export function standardStreamDocument(
  inputs: Partial<StandardStreamInputs> = {},
  description = "Document to hold regional settings for Session Manager",
): Record<string, unknown> {
  return {
    schemaVersion: "1.0",
    description,
    sessionType: "Standard_Stream",
    inputs: { ...BUILT_IN_INPUTS, ...inputs },
    parameters: {},
    properties: {},
  };
}

export function builtInDocumentContent(): Record<string, unknown> {
  return standardStreamDocument();
}
