import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { beforeEach, describe, test } from "node:test";
import type { AwsServiceError, RequestContext } from "../../emulator/api/provider";
import { createDocumentOperations, DocumentStore } from "../../emulator/ssm/documents";

const ACCOUNT = "000000000000";
const ctx: RequestContext = {
  caller: {
    accessKeyId: "test",
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/tester`,
    userId: "AIDA",
  },
  region: "us-east-1",
  requestId: "req-1",
};
const otherAccount: RequestContext = { ...ctx, caller: { ...ctx.caller, accountId: "111111111111" } };

// biome-ignore lint/suspicious/noExplicitAny: responses are compared by value, member access stays terse
type Result = Record<string, any>;

function session(inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ schemaVersion: "1.0", sessionType: "Standard_Stream", inputs, ...extra });
}

let now: number;
let ops: ReturnType<typeof createDocumentOperations>;
const call = async (op: string, input: Record<string, unknown>, context = ctx): Promise<Result> =>
  (await ops[op]!(input, context)) as Result;

async function rejects(op: string, input: Record<string, unknown>, code: string, message?: string | RegExp) {
  await assert.rejects(call(op, input), (err: AwsServiceError) => {
    assert.equal(err.code, code, `${op}: ${err.message}`);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

const create = (
  name: string,
  content = session({ idleSessionTimeout: "20" }),
  extra: Record<string, unknown> = {},
) => call("CreateDocument", { Name: name, Content: content, DocumentType: "Session", ...extra });

beforeEach(() => {
  now = 1_700_000_000_000;
  ops = createDocumentOperations(new DocumentStore({ now: () => now }));
});

describe("CreateDocument", () => {
  test("returns the DocumentDescription of version 1", async () => {
    const content = session({ idleSessionTimeout: "20" }, { description: "prefs" });
    const { DocumentDescription: d } = await create("SSM-SessionManagerRunShell", content, {
      VersionName: "v1",
      DisplayName: "Prefs",
      TargetType: "/AWS::EC2::Instance",
      Tags: [{ Key: "run", Value: "r1" }],
    });
    assert.deepEqual(d, {
      Hash: createHash("sha256").update(content).digest("hex"),
      HashType: "Sha256",
      Name: "SSM-SessionManagerRunShell",
      DisplayName: "Prefs",
      VersionName: "v1",
      Owner: ACCOUNT,
      CreatedDate: 1_700_000_000,
      Status: "Creating",
      DocumentVersion: "1",
      Description: "prefs",
      PlatformTypes: ["Windows", "Linux"],
      DocumentType: "Session",
      SchemaVersion: "1.0",
      LatestVersion: "1",
      DefaultVersion: "1",
      DocumentFormat: "JSON",
      TargetType: "/AWS::EC2::Instance",
      Tags: [{ Key: "run", Value: "r1" }],
    });
  });

  test("lists declared parameters in the description", async () => {
    const content = session(
      { idleSessionTimeout: "{{idle}}" },
      {
        parameters: {
          idle: { type: "String", default: "15", description: "minutes" },
          flag: { type: "Boolean" },
        },
      },
    );
    const { DocumentDescription: d } = await create("WithParams", content);
    assert.deepEqual(d.Parameters, [
      { Name: "idle", Type: "String", Description: "minutes", DefaultValue: "15" },
      { Name: "flag", Type: "Boolean" },
    ]);
  });

  test("an existing name is DocumentAlreadyExists", async () => {
    await create("Dup-Doc");
    await rejects(
      "CreateDocument",
      { Name: "Dup-Doc", Content: session(), DocumentType: "Session" },
      "DocumentAlreadyExists",
      "Document with same name Dup-Doc already exists",
    );
  });

  test("the same name in another account is another document", async () => {
    await create("Shared-Name");
    const { DocumentDescription: d } = await call(
      "CreateDocument",
      { Name: "Shared-Name", Content: session(), DocumentType: "Session" },
      otherAccount,
    );
    assert.equal(d.Owner, "111111111111");
  });

  for (const name of [
    "AWS-RunShellScript",
    "aws-mine",
    "AmazonCloudWatch-x",
    "amazon-doc",
    "amzn-doc",
    "AWSSupport-x",
  ]) {
    test(`reserved prefix: ${name} is ValidationException`, () =>
      rejects(
        "CreateDocument",
        { Name: name, Content: session(), DocumentType: "Session" },
        "ValidationException",
        /^Invalid document name /,
      ));
  }

  for (const [name, why] of [
    ["ab", "too short"],
    ["a".repeat(129), "too long"],
    ["has space", "space"],
    ["a/b", "slash"],
  ]) {
    test(`name pattern: ${why} is ValidationException`, () =>
      rejects(
        "CreateDocument",
        { Name: name, Content: session(), DocumentType: "Session" },
        "ValidationException",
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$`,
      ));
  }

  test("missing Content is ValidationException", () =>
    rejects(
      "CreateDocument",
      { Name: "NoContent" },
      "ValidationException",
      "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null",
    ));

  test("content over 64 KB is MaxDocumentSizeExceeded", () =>
    rejects(
      "CreateDocument",
      { Name: "Big-Doc", DocumentType: "Session", Content: session({ s3KeyPrefix: "x".repeat(64 * 1024) }) },
      "MaxDocumentSizeExceeded",
      "The size limit of a document is 64 KB.",
    ));

  test("DocumentType defaults to Command, stored minimally", async () => {
    const content = JSON.stringify({
      schemaVersion: "2.2",
      mainSteps: [],
      parameters: { cmd: { type: "String" } },
    });
    const { DocumentDescription: d } = await call("CreateDocument", { Name: "My-Command", Content: content });
    assert.equal(d.DocumentType, "Command");
    assert.equal(d.SchemaVersion, "2.2");
    assert.deepEqual(d.Parameters, [{ Name: "cmd", Type: "String" }]);
  });

  test("a Session-shaped Command document fails on its schema version", () =>
    rejects(
      "CreateDocument",
      { Name: "Wrong-Type", Content: session() },
      "InvalidDocumentSchemaVersion",
      "1.0 is not a valid schema version for Command document type",
    ));

  test("other document types are InvalidDocumentType", () =>
    rejects(
      "CreateDocument",
      { Name: "An-Automation", Content: "{}", DocumentType: "Automation" },
      "InvalidDocumentType",
    ));

  test("DocumentFormat TEXT is refused", () =>
    rejects(
      "CreateDocument",
      { Name: "Text-Doc", Content: session(), DocumentType: "Session", DocumentFormat: "TEXT" },
      "ValidationException",
      "Invalid document format TEXT",
    ));

  test("tag keys starting with aws: are ValidationException", () =>
    rejects(
      "CreateDocument",
      { Name: "Tagged", Content: session(), DocumentType: "Session", Tags: [{ Key: "aws:x", Value: "v" }] },
      "ValidationException",
      /at 'tags\.1\.member\.key'/,
    ));
});

describe("versions: UpdateDocument, UpdateDocumentDefaultVersion, $LATEST and $DEFAULT", () => {
  const v1 = session({ idleSessionTimeout: "10" });
  const v2 = session({ idleSessionTimeout: "20" });
  const v3 = session({ idleSessionTimeout: "30" });

  beforeEach(async () => {
    await create("Versioned", v1, { VersionName: "first" });
  });

  test("UpdateDocument $LATEST adds version 2; the default stays 1", async () => {
    now += 5_000;
    const { DocumentDescription: d } = await call("UpdateDocument", {
      Name: "Versioned",
      Content: v2,
      DocumentVersion: "$LATEST",
    });
    assert.equal(d.DocumentVersion, "2");
    assert.equal(d.LatestVersion, "2");
    assert.equal(d.DefaultVersion, "1");
    assert.equal(d.Status, "Updating");
    assert.equal(d.CreatedDate, 1_700_000_005);
    assert.equal((await call("GetDocument", { Name: "Versioned" })).Content, v1);
    assert.equal((await call("GetDocument", { Name: "Versioned", DocumentVersion: "$DEFAULT" })).Content, v1);
    assert.equal((await call("GetDocument", { Name: "Versioned", DocumentVersion: "$LATEST" })).Content, v2);
    assert.equal((await call("GetDocument", { Name: "Versioned", DocumentVersion: "2" })).Content, v2);
  });

  test("UpdateDocument accepts the latest version number and no version at all", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2, DocumentVersion: "1" });
    const { DocumentDescription: d } = await call("UpdateDocument", { Name: "Versioned", Content: v3 });
    assert.equal(d.DocumentVersion, "3");
  });

  test("UpdateDocument on a version other than the latest is InvalidDocumentVersion", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2, DocumentVersion: "$LATEST" });
    const message =
      "Version provided for document Versioned is not latest. Please provide the latest version to update document Versioned";
    await rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: v3, DocumentVersion: "1" },
      "InvalidDocumentVersion",
      message,
    );
    await rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: v3, DocumentVersion: "$DEFAULT" },
      "InvalidDocumentVersion",
      message,
    );
    await rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: v3, DocumentVersion: "9" },
      "InvalidDocumentVersion",
      message,
    );
  });

  test("identical content is DuplicateDocumentContent", async () => {
    await rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: v1, DocumentVersion: "$LATEST" },
      "DuplicateDocumentContent",
      /matches another document/,
    );
    await call("UpdateDocument", { Name: "Versioned", Content: v2 });
    // Any earlier version counts, not just the latest.
    await rejects("UpdateDocument", { Name: "Versioned", Content: v1 }, "DuplicateDocumentContent");
  });

  test("a used VersionName is DuplicateDocumentVersionName", () =>
    rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: v2, VersionName: "first" },
      "DuplicateDocumentVersionName",
    ));

  test("UpdateDocument validates the new content", () =>
    rejects(
      "UpdateDocument",
      { Name: "Versioned", Content: session({ idleSessionTimeout: "0" }) },
      "InvalidDocumentContent",
      /idleSessionTimeout/,
    ));

  test("UpdateDocument on a missing document is InvalidDocument", () =>
    rejects(
      "UpdateDocument",
      { Name: "Nope-Doc", Content: v2 },
      "InvalidDocument",
      "Document with name Nope-Doc does not exist.",
    ));

  test("DisplayName carries over unless given", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2, DisplayName: "Two" });
    const { DocumentDescription: d } = await call("UpdateDocument", { Name: "Versioned", Content: v3 });
    assert.equal(d.DisplayName, "Two");
  });

  test("UpdateDocumentDefaultVersion moves the default", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2, VersionName: "second" });
    const result = await call("UpdateDocumentDefaultVersion", { Name: "Versioned", DocumentVersion: "2" });
    assert.deepEqual(result, {
      Description: { Name: "Versioned", DefaultVersion: "2", DefaultVersionName: "second" },
    });
    assert.equal((await call("GetDocument", { Name: "Versioned" })).Content, v2);
    const { Document: d } = await call("DescribeDocument", { Name: "Versioned", DocumentVersion: "1" });
    assert.equal(d.DefaultVersion, "2");
    assert.equal(d.DocumentVersion, "1");
    assert.equal(d.Status, "Active");
  });

  test("UpdateDocumentDefaultVersion errors", async () => {
    await rejects(
      "UpdateDocumentDefaultVersion",
      { Name: "Versioned", DocumentVersion: "5" },
      "InvalidDocumentVersion",
      "The document version is not valid or does not exist.",
    );
    await rejects(
      "UpdateDocumentDefaultVersion",
      { Name: "Versioned", DocumentVersion: "$LATEST" },
      "ValidationException",
      /Member must satisfy regular expression pattern: \(\^\[1-9\]\[0-9\]\*\$\)/,
    );
    await rejects(
      "UpdateDocumentDefaultVersion",
      { Name: "Nope-Doc", DocumentVersion: "1" },
      "InvalidDocument",
    );
  });

  test("GetDocument by VersionName, and both selectors together", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2, VersionName: "second" });
    assert.equal((await call("GetDocument", { Name: "Versioned", VersionName: "second" })).Content, v2);
    const both = await call("GetDocument", { Name: "Versioned", VersionName: "first", DocumentVersion: "1" });
    assert.equal(both.VersionName, "first");
    await rejects(
      "GetDocument",
      { Name: "Versioned", VersionName: "first", DocumentVersion: "2" },
      "InvalidDocumentVersion",
    );
    await rejects("GetDocument", { Name: "Versioned", VersionName: "nope" }, "InvalidDocumentVersion");
    await rejects("GetDocument", { Name: "Versioned", DocumentVersion: "3" }, "InvalidDocumentVersion");
  });

  test("ListDocumentVersions marks the default and pages", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2 });
    await call("UpdateDocument", { Name: "Versioned", Content: v3 });
    await call("UpdateDocumentDefaultVersion", { Name: "Versioned", DocumentVersion: "2" });
    const first = await call("ListDocumentVersions", { Name: "Versioned", MaxResults: 2 });
    assert.deepEqual(
      first.DocumentVersions.map((v: Result) => [v.DocumentVersion, v.IsDefaultVersion]),
      [
        ["1", false],
        ["2", true],
      ],
    );
    assert.equal(first.DocumentVersions[0].VersionName, "first");
    const second = await call("ListDocumentVersions", {
      Name: "Versioned",
      MaxResults: 2,
      NextToken: first.NextToken,
    });
    assert.deepEqual(
      second.DocumentVersions.map((v: Result) => v.DocumentVersion),
      ["3"],
    );
    assert.equal(second.NextToken, undefined);
  });

  test("DeleteDocument of one version; the default cannot go; numbers are not reused", async () => {
    await call("UpdateDocument", { Name: "Versioned", Content: v2 });
    await rejects(
      "DeleteDocument",
      { Name: "Versioned", DocumentVersion: "1" },
      "InvalidDocumentOperation",
      "Default version of the document can't be deleted.",
    );
    await call("DeleteDocument", { Name: "Versioned", DocumentVersion: "$LATEST" });
    const { Document: d } = await call("DescribeDocument", { Name: "Versioned" });
    assert.equal(d.LatestVersion, "1");
    const { DocumentDescription: u } = await call("UpdateDocument", { Name: "Versioned", Content: v3 });
    assert.equal(u.DocumentVersion, "3");
    await rejects("DeleteDocument", { Name: "Versioned", VersionName: "first" }, "InvalidDocumentOperation");
  });
});

describe("GetDocument, DescribeDocument, DeleteDocument", () => {
  test("GetDocument returns the stored content and metadata", async () => {
    const content = session({ idleSessionTimeout: "20" });
    await create("Get-Me", content, { VersionName: "v1", DisplayName: "Get me" });
    assert.deepEqual(await call("GetDocument", { Name: "Get-Me" }), {
      Name: "Get-Me",
      CreatedDate: 1_700_000_000,
      DisplayName: "Get me",
      VersionName: "v1",
      DocumentVersion: "1",
      Status: "Active",
      Content: content,
      DocumentType: "Session",
      DocumentFormat: "JSON",
    });
  });

  test("GetDocument converts between JSON and YAML", async () => {
    const yaml = "schemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs:\n  idleSessionTimeout: '15'\n";
    await create("Yaml-Doc", yaml, { DocumentFormat: "YAML" });
    const asYaml = await call("GetDocument", { Name: "Yaml-Doc" });
    assert.equal(asYaml.Content, yaml);
    assert.equal(asYaml.DocumentFormat, "YAML");
    const asJson = await call("GetDocument", { Name: "Yaml-Doc", DocumentFormat: "JSON" });
    assert.deepEqual(JSON.parse(asJson.Content), {
      schemaVersion: "1.0",
      sessionType: "Standard_Stream",
      inputs: { idleSessionTimeout: "15" },
    });
    assert.equal(asJson.DocumentFormat, "JSON");
    await create("Json-Doc", session({ idleSessionTimeout: "15" }));
    const back = await call("GetDocument", { Name: "Json-Doc", DocumentFormat: "YAML" });
    assert.equal(back.Content, yaml);
  });

  test("GetDocument and DescribeDocument accept the document ARN of the caller's scope", async () => {
    await create("By-Arn");
    const arn = `arn:aws:ssm:us-east-1:${ACCOUNT}:document/By-Arn`;
    assert.equal((await call("GetDocument", { Name: arn })).Name, "By-Arn");
    assert.equal((await call("DescribeDocument", { Name: arn })).Document.Name, "By-Arn");
    await rejects(
      "GetDocument",
      { Name: "arn:aws:ssm:eu-west-1:000000000000:document/By-Arn" },
      "InvalidDocument",
    );
  });

  test("a missing document is InvalidDocument", async () => {
    for (const op of ["GetDocument", "DescribeDocument", "DeleteDocument", "ListDocumentVersions"]) {
      await rejects(
        op,
        { Name: "Missing-Doc" },
        "InvalidDocument",
        "Document with name Missing-Doc does not exist.",
      );
    }
  });

  test("documents are regional", async () => {
    await create("Regional");
    await assert.rejects(call("GetDocument", { Name: "Regional" }, { ...ctx, region: "eu-west-1" }), {
      code: "InvalidDocument",
    });
  });

  test("DeleteDocument removes every version and the tags", async () => {
    await create("Doomed", session(), { Tags: [{ Key: "run", Value: "1" }] });
    await call("UpdateDocument", { Name: "Doomed", Content: session({ s3KeyPrefix: "p" }) });
    assert.deepEqual(await call("DeleteDocument", { Name: "Doomed" }), {});
    await rejects("DescribeDocument", { Name: "Doomed" }, "InvalidDocument");
    await create("Doomed");
    assert.deepEqual(
      (await call("ListTagsForResource", { ResourceType: "Document", ResourceId: "Doomed" })).TagList,
      [],
    );
  });
});

describe("tags", () => {
  const resource = { ResourceType: "Document", ResourceId: "Tagged-Doc" };

  beforeEach(async () => {
    await create("Tagged-Doc", session(), { Tags: [{ Key: "a", Value: "1" }] });
  });

  test("add, overwrite, list, remove", async () => {
    assert.deepEqual(
      await call("AddTagsToResource", {
        ...resource,
        Tags: [
          { Key: "a", Value: "2" },
          { Key: "b", Value: "" },
        ],
      }),
      {},
    );
    assert.deepEqual((await call("ListTagsForResource", resource)).TagList, [
      { Key: "a", Value: "2" },
      { Key: "b", Value: "" },
    ]);
    assert.deepEqual(await call("RemoveTagsFromResource", { ...resource, TagKeys: ["a", "zzz"] }), {});
    assert.deepEqual((await call("ListTagsForResource", resource)).TagList, [{ Key: "b", Value: "" }]);
    assert.deepEqual((await call("DescribeDocument", { Name: "Tagged-Doc" })).Document.Tags, [
      { Key: "b", Value: "" },
    ]);
  });

  test("errors: missing document, other resource types, too many tags", async () => {
    await rejects("ListTagsForResource", { ...resource, ResourceId: "Nope-Doc" }, "InvalidResourceId");
    await rejects(
      "AddTagsToResource",
      { ...resource, ResourceId: "Nope-Doc", Tags: [] },
      "InvalidResourceId",
    );
    await rejects(
      "ListTagsForResource",
      { ResourceType: "ManagedInstance", ResourceId: "i-1" },
      "InvalidResourceType",
    );
    await rejects("ListTagsForResource", { ResourceType: "Bucket", ResourceId: "x" }, "ValidationException");
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await rejects("AddTagsToResource", { ...resource, Tags: many }, "TooManyTagsError");
  });
});

describe("ListDocuments", () => {
  const names = ["Doc-01", "Doc-02", "Doc-03", "Doc-04", "Doc-05", "Other-1"];

  beforeEach(async () => {
    for (const [i, name] of names.entries()) {
      await create(name, session({ s3KeyPrefix: name }), {
        Tags: [{ Key: "run", Value: i % 2 ? "odd" : "even" }],
      });
    }
    await call("CreateDocument", {
      Name: "A-Command",
      Content: JSON.stringify({ schemaVersion: "2.2", mainSteps: [] }),
    });
  });

  const listAll = async (input: Record<string, unknown>): Promise<string[]> => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call("ListDocuments", { ...input, ...(token ? { NextToken: token } : {}) });
      assert.ok(page.DocumentIdentifiers.length <= ((input["MaxResults"] as number) ?? 50));
      seen.push(...page.DocumentIdentifiers.map((d: Result) => d.Name));
      token = page.NextToken;
    } while (token);
    return seen;
  };

  test("pages through every document in name order", async () => {
    assert.deepEqual(await listAll({ MaxResults: 2 }), ["A-Command", ...names]);
    assert.deepEqual(await listAll({}), ["A-Command", ...names]);
  });

  test("a page boundary survives deleting the document it ended on", async () => {
    const first = await call("ListDocuments", { MaxResults: 3 });
    assert.deepEqual(
      first.DocumentIdentifiers.map((d: Result) => d.Name),
      ["A-Command", "Doc-01", "Doc-02"],
    );
    await call("DeleteDocument", { Name: "Doc-02" });
    const second = await call("ListDocuments", { MaxResults: 3, NextToken: first.NextToken });
    assert.deepEqual(
      second.DocumentIdentifiers.map((d: Result) => d.Name),
      ["Doc-03", "Doc-04", "Doc-05"],
    );
  });

  test("filters: tag, DocumentType, Name prefix, Owner, combined", async () => {
    assert.deepEqual(await listAll({ Filters: [{ Key: "tag:run", Values: ["odd"] }] }), [
      "Doc-02",
      "Doc-04",
      "Other-1",
    ]);
    assert.deepEqual(await listAll({ Filters: [{ Key: "tag:run" }], MaxResults: 4 }), names);
    assert.deepEqual(await listAll({ Filters: [{ Key: "tag:missing" }] }), []);
    assert.deepEqual(await listAll({ Filters: [{ Key: "DocumentType", Values: ["Command"] }] }), [
      "A-Command",
    ]);
    assert.deepEqual(await listAll({ Filters: [{ Key: "Name", Values: ["Other", "A-"] }] }), [
      "A-Command",
      "Other-1",
    ]);
    assert.equal((await listAll({ Filters: [{ Key: "Owner", Values: ["Self"] }] })).length, 7);
    assert.deepEqual(await listAll({ Filters: [{ Key: "Owner", Values: ["Amazon"] }] }), []);
    assert.deepEqual(
      await listAll({
        Filters: [
          { Key: "tag:run", Values: ["even"] },
          { Key: "Name", Values: ["Doc-0"] },
        ],
      }),
      ["Doc-01", "Doc-03", "Doc-05"],
    );
  });

  test("the legacy DocumentFilterList", async () => {
    assert.deepEqual(await listAll({ DocumentFilterList: [{ key: "DocumentType", value: "Command" }] }), [
      "A-Command",
    ]);
  });

  test("describes each document by its default version", async () => {
    await call("UpdateDocument", {
      Name: "Doc-01",
      Content: session({ s3KeyPrefix: "new" }),
      VersionName: "two",
    });
    const { DocumentIdentifiers: ids } = await call("ListDocuments", {
      Filters: [{ Key: "Name", Values: ["Doc-01"] }],
    });
    assert.deepEqual(ids, [
      {
        Name: "Doc-01",
        CreatedDate: 1_700_000_000,
        Owner: ACCOUNT,
        PlatformTypes: ["Windows", "Linux"],
        DocumentVersion: "1",
        DocumentType: "Session",
        SchemaVersion: "1.0",
        DocumentFormat: "JSON",
        Tags: [{ Key: "run", Value: "even" }],
      },
    ]);
  });

  test("errors: bad token, bad filter key, MaxResults out of range", async () => {
    await rejects("ListDocuments", { NextToken: "garbage" }, "InvalidNextToken");
    await rejects(
      "ListDocuments",
      { Filters: [{ Key: "Colour", Values: ["red"] }] },
      "InvalidFilterKey",
      /Colour/,
    );
    await rejects("ListDocuments", { MaxResults: 51 }, "ValidationException", /less than or equal to 50/);
  });
});
