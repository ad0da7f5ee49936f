/**
 * SSM documents per account and region: versions 1, 2, ... with a default and a latest version, tags,
 * content validated on the way in. The version rules (which version UpdateDocument may build on, what
 * DeleteDocument may remove) live here so every caller, the wire operations and StartSession alike,
 * gets the same answers and the same AWS errors.
 */
import { createHash } from "node:crypto";
import {
  type ContentFormat,
  type DocumentParameterInfo,
  parseContent,
  type StoredDocumentType,
  validateContent,
} from "./content";
import {
  documentAlreadyExists,
  documentNotFound,
  duplicateContent,
  duplicateVersionName,
  invalidDocumentVersion,
  invalidFormat,
  invalidOperation,
  invalidResourceId,
  maxSizeExceeded,
  notLatestVersion,
  tooManyTags,
  unsupportedType,
  validation,
  versionLimitExceeded,
} from "./errors";
import type { InputStrictness } from "./session-schema";

export interface DocumentScope {
  accountId: string;
  region: string;
}

export interface DocumentVersion {
  readonly version: number;
  readonly versionName?: string;
  readonly displayName?: string;
  readonly targetType?: string;
  /** The content exactly as submitted. */
  readonly content: string;
  readonly format: ContentFormat;
  /** Sha256 of the content, hex. */
  readonly hash: string;
  /** Epoch milliseconds. */
  readonly createdDate: number;
  /** The content parsed to a JSON value. */
  readonly body: Record<string, unknown>;
  readonly schemaVersion: string;
  readonly description?: string;
  readonly parameters: readonly DocumentParameterInfo[];
}

export interface StoredDocument {
  readonly name: string;
  readonly type: StoredDocumentType;
  /** The owning account id, or `Amazon` for documents seeded as AWS-owned. */
  readonly owner: string;
  readonly versions: ReadonlyMap<number, DocumentVersion>;
  readonly defaultVersion: number;
  readonly latestVersion: number;
  readonly tags: ReadonlyMap<string, string>;
}

/** Which version: `DocumentVersion` (`$LATEST`, `$DEFAULT` or a number) and/or `VersionName`. Default: `$DEFAULT`. */
export interface VersionSelector {
  documentVersion?: string;
  versionName?: string;
}

export interface CreateDocumentRequest {
  name: string;
  content: string;
  /** The wire DocumentType; anything but Session and Command is refused with InvalidDocumentType. */
  type: string;
  format: string;
  versionName?: string;
  displayName?: string;
  targetType?: string;
  tags?: ReadonlyArray<readonly [string, string]>;
  /** For seeding AWS-owned documents (e.g. `Amazon`): skips the reserved-name rule. Default: the caller's account. */
  owner?: string;
}

export interface UpdateDocumentRequest {
  name: string;
  content: string;
  /** `$LATEST` (the default when absent) or the latest version number. */
  documentVersion?: string;
  format: string;
  versionName?: string;
  displayName?: string;
  targetType?: string;
}

export interface DocumentStoreOptions {
  /** Validation of the inputs AWS leaves undocumented; see session-schema.ts. Default strict. */
  inputs?: InputStrictness;
  /** Epoch milliseconds; the emulator's clock. Default Date.now. */
  now?: () => number;
}

export interface ResolvedVersion {
  document: StoredDocument;
  version: DocumentVersion;
}

const MAX_CONTENT_BYTES = 64 * 1024;
const MAX_VERSIONS = 1000;
const MAX_TAGS = 50;
const RESERVED_PREFIX = /^(aws|amazon|amzn)/i;

interface DocumentRecord {
  name: string;
  type: StoredDocumentType;
  owner: string;
  versions: Map<number, DocumentVersion>;
  defaultVersion: number;
  latestVersion: number;
  /** Version numbers are never reused, even after a version is deleted. */
  nextVersion: number;
  tags: Map<string, string>;
}

export class DocumentStore {
  readonly inputs: InputStrictness;
  private readonly now: () => number;
  private readonly scopes = new Map<string, Map<string, DocumentRecord>>();

  constructor(options: DocumentStoreOptions = {}) {
    this.inputs = options.inputs ?? "strict";
    this.now = options.now ?? Date.now;
  }

  create(scope: DocumentScope, req: CreateDocumentRequest): ResolvedVersion {
    if (req.owner === undefined && RESERVED_PREFIX.test(req.name)) {
      throw validation(
        `Invalid document name ${req.name}. Document names can't start with the reserved prefixes aws, amazon or amzn.`,
      );
    }
    if (req.type !== "Session" && req.type !== "Command") throw unsupportedType(req.type);
    const docs = this.docs(scope, true);
    if (docs.has(req.name)) throw documentAlreadyExists(req.name);
    const version = this.newVersion(1, req.type, req);
    if ((req.tags?.length ?? 0) > MAX_TAGS) throw tooManyTags();
    const record: DocumentRecord = {
      name: req.name,
      type: req.type,
      owner: req.owner ?? scope.accountId,
      versions: new Map([[1, version]]),
      defaultVersion: 1,
      latestVersion: 1,
      nextVersion: 2,
      tags: new Map(req.tags ?? []),
    };
    docs.set(req.name, record);
    return { document: record, version };
  }

  update(scope: DocumentScope, req: UpdateDocumentRequest): ResolvedVersion {
    const record = this.record(scope, req.name);
    const selector = req.documentVersion ?? "$LATEST";
    const target =
      selector === "$LATEST"
        ? record.latestVersion
        : selector === "$DEFAULT"
          ? record.defaultVersion
          : Number(selector);
    if (target !== record.latestVersion) throw notLatestVersion(req.name);
    if (
      req.versionName !== undefined &&
      [...record.versions.values()].some((v) => v.versionName === req.versionName)
    ) {
      throw duplicateVersionName();
    }
    const latest = record.versions.get(record.latestVersion)!;
    const version = this.newVersion(record.nextVersion, record.type, {
      ...req,
      displayName: req.displayName ?? latest.displayName,
      targetType: req.targetType ?? latest.targetType,
    });
    if ([...record.versions.values()].some((v) => v.hash === version.hash)) throw duplicateContent();
    if (record.versions.size >= MAX_VERSIONS) throw versionLimitExceeded();
    record.versions.set(version.version, version);
    record.latestVersion = version.version;
    record.nextVersion++;
    return { document: record, version };
  }

  setDefaultVersion(scope: DocumentScope, name: string, documentVersion: string): ResolvedVersion {
    const record = this.record(scope, name);
    const version = record.versions.get(Number(documentVersion));
    if (!version) throw invalidDocumentVersion();
    record.defaultVersion = version.version;
    return { document: record, version };
  }

  /** Deletes one version (by selector) or, with an empty selector, the whole document and its tags. */
  delete(scope: DocumentScope, name: string, selector: VersionSelector = {}): void {
    const record = this.record(scope, name);
    if (selector.documentVersion === undefined && selector.versionName === undefined) {
      this.docs(scope, false)?.delete(record.name);
      return;
    }
    const version = pick(record, selector);
    if (version.version === record.defaultVersion) {
      throw invalidOperation("Default version of the document can't be deleted.");
    }
    record.versions.delete(version.version);
    if (version.version === record.latestVersion) record.latestVersion = Math.max(...record.versions.keys());
  }

  get(scope: DocumentScope, name: string): StoredDocument | undefined {
    const local = this.localName(scope, name);
    return local === undefined ? undefined : this.docs(scope, false)?.get(local);
  }

  /** The version a selector names; InvalidDocument / InvalidDocumentVersion when there is none. */
  find(scope: DocumentScope, name: string, selector: VersionSelector = {}): ResolvedVersion {
    const record = this.record(scope, name);
    return { document: record, version: pick(record, selector) };
  }

  /**
   * The latest version of a document, or undefined when there is none: what StartSession uses for a named
   * document (users report AWS takes the latest, not the default; spec 2.2 and 17, question 6).
   */
  latest(scope: DocumentScope, name: string): ResolvedVersion | undefined {
    const document = this.get(scope, name);
    return document && { document, version: document.versions.get(document.latestVersion)! };
  }

  /** Documents of a scope, by name. */
  list(scope: DocumentScope): StoredDocument[] {
    return [...(this.docs(scope, false)?.values() ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** Adds or overwrites tags; InvalidResourceId when the document does not exist. */
  addTags(scope: DocumentScope, name: string, tags: ReadonlyArray<readonly [string, string]>): void {
    const record = this.taggable(scope, name);
    const merged = new Map([...record.tags, ...tags]);
    if (merged.size > MAX_TAGS) throw tooManyTags();
    record.tags = merged;
  }

  /** A document's tags; InvalidResourceId when the document does not exist. */
  tags(scope: DocumentScope, name: string): ReadonlyMap<string, string> {
    return this.taggable(scope, name).tags;
  }

  removeTags(scope: DocumentScope, name: string, keys: readonly string[]): void {
    const record = this.taggable(scope, name);
    for (const key of keys) record.tags.delete(key);
  }

  private taggable(scope: DocumentScope, name: string): DocumentRecord {
    const record = this.docs(scope, false)?.get(name);
    if (!record) throw invalidResourceId();
    return record;
  }

  private newVersion(
    number: number,
    type: StoredDocumentType,
    req: Omit<UpdateDocumentRequest, "name" | "documentVersion">,
  ): DocumentVersion {
    if (req.format !== "JSON" && req.format !== "YAML") throw invalidFormat(req.format);
    if (Buffer.byteLength(req.content, "utf8") > MAX_CONTENT_BYTES) throw maxSizeExceeded();
    const validated = validateContent(type, parseContent(req.content, req.format), this.inputs);
    return {
      version: number,
      ...(req.versionName === undefined ? {} : { versionName: req.versionName }),
      ...(req.displayName === undefined ? {} : { displayName: req.displayName }),
      ...(req.targetType === undefined ? {} : { targetType: req.targetType }),
      content: req.content,
      format: req.format,
      hash: createHash("sha256").update(req.content, "utf8").digest("hex"),
      createdDate: this.now(),
      ...validated,
    };
  }

  private record(scope: DocumentScope, name: string): DocumentRecord {
    const local = this.localName(scope, name);
    const record = local === undefined ? undefined : this.docs(scope, false)?.get(local);
    if (!record) throw documentNotFound(name);
    return record;
  }

  /** A plain name, or the name inside this scope's document ARN (`arn:aws:ssm:<region>:<account>:document/<name>`). */
  private localName(scope: DocumentScope, name: string): string | undefined {
    const arn = /^arn:[\w-]+:ssm:([^:]*):([^:]*):document\/(.+)$/.exec(name);
    if (!arn) return name;
    return arn[1] === scope.region && arn[2] === scope.accountId ? arn[3] : undefined;
  }

  private docs(scope: DocumentScope, create: true): Map<string, DocumentRecord>;
  private docs(scope: DocumentScope, create: false): Map<string, DocumentRecord> | undefined;
  private docs(scope: DocumentScope, create: boolean): Map<string, DocumentRecord> | undefined {
    const key = `${scope.accountId}/${scope.region}`;
    let docs = this.scopes.get(key);
    if (!docs && create) {
      docs = new Map();
      this.scopes.set(key, docs);
    }
    return docs;
  }
}

function pick(record: DocumentRecord, selector: VersionSelector): DocumentVersion {
  const { documentVersion, versionName } = selector;
  let version: DocumentVersion | undefined;
  if (documentVersion === undefined && versionName !== undefined) {
    version = [...record.versions.values()].find((v) => v.versionName === versionName);
  } else {
    const number =
      documentVersion === "$LATEST"
        ? record.latestVersion
        : documentVersion === undefined || documentVersion === "$DEFAULT"
          ? record.defaultVersion
          : Number(documentVersion);
    version = record.versions.get(number);
    if (versionName !== undefined && version?.versionName !== versionName) version = undefined;
  }
  if (!version) throw invalidDocumentVersion();
  return version;
}
