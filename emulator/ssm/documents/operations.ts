/**
 * The documents group of the SSM provider: request validation (AWS constraints, ValidationException),
 * then the store, then the SSM response shapes. The lead merges these handlers with the session ones.
 */
import { z } from "zod";
import type { OperationHandler, RequestContext } from "../../api/provider";
import { parseInput } from "../../api/validate";
import { renderContent } from "./content";
import { invalidFormat, invalidResourceType } from "./errors";
import { documentFilter, page } from "./list";
import { documentDescription, documentIdentifier, epochSeconds, tagList, versionInfo } from "./shapes";
import type { DocumentScope, DocumentStore } from "./store";

const awsPattern = (re: RegExp, text: string) =>
  z
    .string()
    .refine((s) => re.test(s), { message: `Member must satisfy regular expression pattern: ${text}` });

const documentName = z.string().regex(/^[a-zA-Z0-9_\-.]{3,128}$/);
/** Get/Describe/ListDocumentVersions also take the document ARN. */
const documentNameOrArn = z.string().regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/);
const documentVersion = awsPattern(
  /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/,
  "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)",
);
const documentVersionNumber = awsPattern(/^[1-9][0-9]*$/, "(^[1-9][0-9]*$)");
const versionName = z.string().regex(/^[a-zA-Z0-9_\-.]{1,128}$/);
const displayName = z
  .string()
  .max(1024)
  .regex(/^[\w.\-:/ ]*$/);
const targetType = z
  .string()
  .max(200)
  .regex(/^\/[\w.\-:/]*$/);
const documentFormat = z.enum(["YAML", "JSON", "TEXT"]);
const documentType = z.enum([
  "Command",
  "Policy",
  "Automation",
  "Session",
  "Package",
  "ApplicationConfiguration",
  "ApplicationConfigurationSchema",
  "DeploymentStrategy",
  "ChangeCalendar",
  "Automation.ChangeTemplate",
  "ProblemAnalysis",
  "ProblemAnalysisTemplate",
  "CloudFormation",
  "ConformancePackTemplate",
  "QuickSetup",
  "ManualApprovalPolicy",
  "AutoApprovalPolicy",
]);
const tagKey = z
  .string()
  .min(1)
  .max(128)
  .refine((k) => !/^aws:/i.test(k) && /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(k), {
    message:
      "Member must satisfy regular expression pattern: ^(?!^(?i)aws:)(?=^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$).*$",
  });
const tagValue = z
  .string()
  .max(256)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
const tags = z.array(z.object({ Key: tagKey, Value: tagValue })).max(1000);
const maxResults = z.number().int().min(1).max(50);

const CreateDocument = z.object({
  Name: documentName,
  Content: z.string().min(1),
  DocumentType: documentType.optional(),
  DocumentFormat: documentFormat.optional(),
  VersionName: versionName.optional(),
  DisplayName: displayName.optional(),
  TargetType: targetType.optional(),
  Tags: tags.optional(),
});

const GetDocument = z.object({
  Name: documentNameOrArn,
  DocumentVersion: documentVersion.optional(),
  VersionName: versionName.optional(),
  DocumentFormat: documentFormat.optional(),
});

const DescribeDocument = GetDocument.omit({ DocumentFormat: true });

const UpdateDocument = z.object({
  Name: documentName,
  Content: z.string().min(1),
  DocumentVersion: documentVersion.optional(),
  DocumentFormat: documentFormat.optional(),
  VersionName: versionName.optional(),
  DisplayName: displayName.optional(),
  TargetType: targetType.optional(),
});

const UpdateDocumentDefaultVersion = z.object({ Name: documentName, DocumentVersion: documentVersionNumber });

const DeleteDocument = z.object({
  Name: documentName,
  DocumentVersion: documentVersion.optional(),
  VersionName: versionName.optional(),
  Force: z.boolean().optional(),
});

const ListDocuments = z.object({
  Filters: z
    .array(
      z.object({ Key: z.string().min(1).max(128), Values: z.array(z.string().min(1).max(256)).optional() }),
    )
    .max(6)
    .optional(),
  DocumentFilterList: z
    .array(
      z.object({ key: z.enum(["Name", "Owner", "PlatformTypes", "DocumentType"]), value: z.string().min(1) }),
    )
    .min(1)
    .optional(),
  MaxResults: maxResults.optional(),
  NextToken: z.string().optional(),
});

const ListDocumentVersions = z.object({
  Name: documentNameOrArn,
  MaxResults: maxResults.optional(),
  NextToken: z.string().optional(),
});

const resourceType = z.enum([
  "Document",
  "ManagedInstance",
  "MaintenanceWindow",
  "Parameter",
  "PatchBaseline",
  "OpsItem",
  "OpsMetadata",
  "Automation",
  "Association",
  "CloudConnector",
]);
const resource = { ResourceType: resourceType, ResourceId: z.string() };
const AddTagsToResource = z.object({ ...resource, Tags: tags });
const RemoveTagsFromResource = z.object({ ...resource, TagKeys: z.array(tagKey) });
const ListTagsForResource = z.object(resource);

const DEFAULT_MAX_RESULTS = 50;

const parse = <S extends z.ZodType>(schema: S, input: unknown) =>
  parseInput(schema, input, "ValidationException");
const scopeOf = (ctx: RequestContext): DocumentScope => ({
  accountId: ctx.caller.accountId,
  region: ctx.region,
});
const pairs = (list: { Key: string; Value: string }[] = []) => list.map((t) => [t.Key, t.Value] as const);

/** Tagging here knows ResourceType Document only; other resource types are InvalidResourceType. */
function documentResource(input: { ResourceType: string }): void {
  if (input.ResourceType !== "Document") throw invalidResourceType();
}

export function createDocumentOperations(store: DocumentStore): Record<string, OperationHandler> {
  return {
    CreateDocument: (input, ctx) => {
      const req = parse(CreateDocument, input);
      const { document, version } = store.create(scopeOf(ctx), {
        name: req.Name,
        content: req.Content,
        type: req.DocumentType ?? "Command",
        format: req.DocumentFormat ?? "JSON",
        versionName: req.VersionName,
        displayName: req.DisplayName,
        targetType: req.TargetType,
        tags: pairs(req.Tags),
      });
      return { DocumentDescription: documentDescription(document, version, "Creating") };
    },

    GetDocument: (input, ctx) => {
      const req = parse(GetDocument, input);
      const { document, version } = store.find(scopeOf(ctx), req.Name, {
        documentVersion: req.DocumentVersion,
        versionName: req.VersionName,
      });
      const format = req.DocumentFormat ?? version.format;
      if (format === "TEXT") throw invalidFormat(format);
      return {
        Name: document.name,
        CreatedDate: epochSeconds(version.createdDate),
        ...(version.displayName === undefined ? {} : { DisplayName: version.displayName }),
        ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
        DocumentVersion: String(version.version),
        Status: "Active",
        Content: format === version.format ? version.content : renderContent(version.body, format),
        DocumentType: document.type,
        DocumentFormat: format,
      };
    },

    DescribeDocument: (input, ctx) => {
      const req = parse(DescribeDocument, input);
      const { document, version } = store.find(scopeOf(ctx), req.Name, {
        documentVersion: req.DocumentVersion,
        versionName: req.VersionName,
      });
      return { Document: documentDescription(document, version) };
    },

    UpdateDocument: (input, ctx) => {
      const req = parse(UpdateDocument, input);
      const { document, version } = store.update(scopeOf(ctx), {
        name: req.Name,
        content: req.Content,
        documentVersion: req.DocumentVersion,
        format: req.DocumentFormat ?? "JSON",
        versionName: req.VersionName,
        displayName: req.DisplayName,
        targetType: req.TargetType,
      });
      return { DocumentDescription: documentDescription(document, version, "Updating") };
    },

    UpdateDocumentDefaultVersion: (input, ctx) => {
      const req = parse(UpdateDocumentDefaultVersion, input);
      const { document, version } = store.setDefaultVersion(scopeOf(ctx), req.Name, req.DocumentVersion);
      return {
        Description: {
          Name: document.name,
          DefaultVersion: String(version.version),
          ...(version.versionName === undefined ? {} : { DefaultVersionName: version.versionName }),
        },
      };
    },

    DeleteDocument: (input, ctx) => {
      const req = parse(DeleteDocument, input);
      store.delete(scopeOf(ctx), req.Name, {
        documentVersion: req.DocumentVersion,
        versionName: req.VersionName,
      });
      return {};
    },

    ListDocuments: (input, ctx) => {
      const req = parse(ListDocuments, input);
      const legacy = (req.DocumentFilterList ?? []).map((f) => ({ Key: f.key, Values: [f.value] }));
      const matches = documentFilter([...(req.Filters ?? []), ...legacy], ctx.caller.accountId);
      const docs = store.list(scopeOf(ctx)).filter(matches);
      const result = page(docs, (d) => d.name, req.MaxResults ?? DEFAULT_MAX_RESULTS, req.NextToken);
      return { DocumentIdentifiers: result.items.map(documentIdentifier), ...next(result.nextToken) };
    },

    ListDocumentVersions: (input, ctx) => {
      const req = parse(ListDocumentVersions, input);
      const { document } = store.find(scopeOf(ctx), req.Name);
      const versions = [...document.versions.values()].sort((a, b) => a.version - b.version);
      const result = page(versions, (v) => v.version, req.MaxResults ?? DEFAULT_MAX_RESULTS, req.NextToken);
      return {
        DocumentVersions: result.items.map((v) => versionInfo(document, v)),
        ...next(result.nextToken),
      };
    },

    AddTagsToResource: (input, ctx) => {
      const req = parse(AddTagsToResource, input);
      documentResource(req);
      store.addTags(scopeOf(ctx), req.ResourceId, pairs(req.Tags));
      return {};
    },

    RemoveTagsFromResource: (input, ctx) => {
      const req = parse(RemoveTagsFromResource, input);
      documentResource(req);
      store.removeTags(scopeOf(ctx), req.ResourceId, req.TagKeys);
      return {};
    },

    ListTagsForResource: (input, ctx) => {
      const req = parse(ListTagsForResource, input);
      documentResource(req);
      return { TagList: tagList(store.tags(scopeOf(ctx), req.ResourceId)) };
    },
  };
}

const next = (token: string | undefined) => (token === undefined ? {} : { NextToken: token });
