/** The SSM provider (`AmazonSSM`): Session documents and session operations behind one target prefix. */
import type { ServiceProvider } from "../api/provider";
import { createDocumentOperations, type DocumentStore } from "./documents";
import { createSessionOperations, type SessionOperationsOptions } from "./sessionOperations";

export function createSsmProvider(
  options: SessionOperationsOptions & { documents: DocumentStore },
): ServiceProvider {
  return {
    signingName: "ssm",
    targetPrefix: "AmazonSSM",
    errorMessageKey: "Message",
    internalErrorCode: "InternalServerError",
    operations: { ...createDocumentOperations(options.documents), ...createSessionOperations(options) },
  };
}
