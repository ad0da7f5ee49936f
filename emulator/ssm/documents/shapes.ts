/** The SSM wire shapes built from stored documents (member names as in the SSM API). */
import type { DocumentVersion, StoredDocument } from "./store";

/** What the spec's documented CreateDocument output shows for a Session document (spec 12.2). */
export const PLATFORM_TYPES = ["Windows", "Linux"];

/** `Creating`/`Updating` are what Create/UpdateDocument answer; the emulator is done at once, so reads say `Active`. */
type DocumentStatus = "Active" | "Creating" | "Updating";

/** SSM timestamps are epoch seconds (fractional) in JSON. */
export const epochSeconds = (ms: number) => ms / 1000;

export function tagList(tags: ReadonlyMap<string, string>): { Key: string; Value: string }[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

export function documentDescription(
  doc: StoredDocument,
  v: DocumentVersion,
  status: DocumentStatus = "Active",
) {
  return {
    Hash: v.hash,
    HashType: "Sha256",
    Name: doc.name,
    ...optional("DisplayName", v.displayName),
    ...optional("VersionName", v.versionName),
    Owner: doc.owner,
    CreatedDate: epochSeconds(v.createdDate),
    Status: status,
    DocumentVersion: String(v.version),
    ...optional("Description", v.description),
    ...(v.parameters.length > 0 ? { Parameters: v.parameters } : {}),
    PlatformTypes: PLATFORM_TYPES,
    DocumentType: doc.type,
    SchemaVersion: v.schemaVersion,
    LatestVersion: String(doc.latestVersion),
    DefaultVersion: String(doc.defaultVersion),
    DocumentFormat: v.format,
    ...optional("TargetType", v.targetType),
    Tags: tagList(doc.tags),
  };
}

/** ListDocuments describes each document by its default version. */
export function documentIdentifier(doc: StoredDocument) {
  const v = doc.versions.get(doc.defaultVersion)!;
  return {
    Name: doc.name,
    CreatedDate: epochSeconds(v.createdDate),
    ...optional("DisplayName", v.displayName),
    Owner: doc.owner,
    ...optional("VersionName", v.versionName),
    PlatformTypes: PLATFORM_TYPES,
    DocumentVersion: String(v.version),
    DocumentType: doc.type,
    SchemaVersion: v.schemaVersion,
    DocumentFormat: v.format,
    ...optional("TargetType", v.targetType),
    Tags: tagList(doc.tags),
  };
}

export function versionInfo(doc: StoredDocument, v: DocumentVersion) {
  return {
    Name: doc.name,
    ...optional("DisplayName", v.displayName),
    DocumentVersion: String(v.version),
    ...optional("VersionName", v.versionName),
    CreatedDate: epochSeconds(v.createdDate),
    IsDefaultVersion: v.version === doc.defaultVersion,
    DocumentFormat: v.format,
    Status: "Active",
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
