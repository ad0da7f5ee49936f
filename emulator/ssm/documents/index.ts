/** SSM documents: the store, the wire operations, and the Session preferences view. Choices: README.md. */
export type { ContentFormat, DocumentParameterInfo, StoredDocumentType } from "./content";
export { createDocumentOperations } from "./operations";
export {
  BUILT_IN_PREFERENCES,
  DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES,
  type ResolveOptions,
  resolveSessionPreferences,
  type SessionPreferences,
} from "./preferences";
export { type InputStrictness, SESSION_TYPES, type SessionType } from "./session-schema";
export {
  type CreateDocumentRequest,
  type DocumentScope,
  DocumentStore,
  type DocumentStoreOptions,
  type DocumentVersion,
  type ResolvedVersion,
  type StoredDocument,
  type UpdateDocumentRequest,
  type VersionSelector,
} from "./store";
