/**
 * What StartSession uses without a DocumentName: the account's `SSM-SessionManagerRunShell` when it
 * exists, otherwise AWS's built-in defaults (idle timeout 20 minutes, no logging, no maximum duration).
 */
export const DEFAULT_SESSION_DOCUMENT = "SSM-SessionManagerRunShell";

export function builtInDocumentContent(): Record<string, unknown> {
  return {
    schemaVersion: "1.0",
    description: "Document to hold regional settings for Session Manager",
    sessionType: "Standard_Stream",
    inputs: {
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
    },
    parameters: {},
    properties: {},
  };
}
