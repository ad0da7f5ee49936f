/** The documents operations behind the real API server, driven by the real SSM SDK client. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DocumentAlreadyExists,
  DuplicateDocumentContent,
  GetDocumentCommand,
  InvalidDocument,
  InvalidDocumentContent,
  InvalidDocumentSchemaVersion,
  InvalidDocumentVersion,
  ListDocumentsCommand,
  ListDocumentVersionsCommand,
  ListTagsForResourceCommand,
  paginateListDocuments,
  RemoveTagsFromResourceCommand,
  SSMClient,
  type SSMServiceException,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from "@aws-sdk/client-ssm";
import { type ApiServer, startApiServer } from "../../emulator/api/server";
import { createDocumentOperations, DocumentStore } from "../../emulator/ssm/documents";

const content = (idle: string) =>
  JSON.stringify({
    schemaVersion: "1.0",
    sessionType: "Standard_Stream",
    inputs: { idleSessionTimeout: idle },
  });

describe("documents through SSMClient", () => {
  let server: ApiServer;
  let ssm: SSMClient;
  const created = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

  before(async () => {
    const store = new DocumentStore({ now: () => created });
    server = await startApiServer({
      providers: [
        {
          signingName: "ssm",
          targetPrefix: "AmazonSSM",
          errorMessageKey: "Message",
          internalErrorCode: "InternalServerError",
          operations: createDocumentOperations(store),
        },
      ],
    });
    ssm = new SSMClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });

  after(async () => {
    ssm?.destroy();
    await server?.close();
  });

  const expectError = async <T extends SSMServiceException>(
    promise: Promise<unknown>,
    type: new (...args: never[]) => T,
    message: string | RegExp,
  ) => {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
      const text = (err as SSMServiceException).message;
      if (typeof message === "string") assert.equal(text, message);
      else assert.match(text, message);
      assert.equal((err as SSMServiceException).$metadata.httpStatusCode, 400);
      return true;
    });
  };

  test("create, read, update, default version, versions, delete", async () => {
    const create = await ssm.send(
      new CreateDocumentCommand({
        Name: "SSM-SessionManagerRunShell",
        Content: content("20"),
        DocumentType: "Session",
        DocumentFormat: "JSON",
        Tags: [{ Key: "run", Value: "sdk" }],
      }),
    );
    const d = create.DocumentDescription!;
    assert.equal(d.Status, "Creating");
    assert.equal(d.DocumentVersion, "1");
    assert.equal(d.HashType, "Sha256");
    assert.equal(d.Owner, "000000000000");
    assert.deepEqual(d.CreatedDate, new Date(created));
    assert.deepEqual(d.PlatformTypes, ["Windows", "Linux"]);
    assert.deepEqual(d.Tags, [{ Key: "run", Value: "sdk" }]);

    const got = await ssm.send(new GetDocumentCommand({ Name: "SSM-SessionManagerRunShell" }));
    assert.equal(got.Content, content("20"));
    assert.equal(got.DocumentType, "Session");
    assert.deepEqual(got.CreatedDate, new Date(created));

    const yaml = await ssm.send(
      new GetDocumentCommand({ Name: "SSM-SessionManagerRunShell", DocumentFormat: "YAML" }),
    );
    assert.match(yaml.Content!, /^schemaVersion: '1\.0'\n/);

    const updated = await ssm.send(
      new UpdateDocumentCommand({
        Name: "SSM-SessionManagerRunShell",
        Content: content("5"),
        DocumentVersion: "$LATEST",
      }),
    );
    assert.equal(updated.DocumentDescription!.DocumentVersion, "2");
    assert.equal(updated.DocumentDescription!.DefaultVersion, "1");

    const def = await ssm.send(
      new UpdateDocumentDefaultVersionCommand({ Name: "SSM-SessionManagerRunShell", DocumentVersion: "2" }),
    );
    assert.deepEqual(def.Description, { Name: "SSM-SessionManagerRunShell", DefaultVersion: "2" });

    const described = await ssm.send(new DescribeDocumentCommand({ Name: "SSM-SessionManagerRunShell" }));
    assert.equal(described.Document!.DefaultVersion, "2");
    assert.equal(described.Document!.LatestVersion, "2");

    const versions = await ssm.send(new ListDocumentVersionsCommand({ Name: "SSM-SessionManagerRunShell" }));
    assert.deepEqual(
      versions.DocumentVersions!.map((v) => [v.DocumentVersion, v.IsDefaultVersion]),
      [
        ["1", false],
        ["2", true],
      ],
    );

    await ssm.send(new DeleteDocumentCommand({ Name: "SSM-SessionManagerRunShell" }));
    await expectError(
      ssm.send(new DescribeDocumentCommand({ Name: "SSM-SessionManagerRunShell" })),
      InvalidDocument,
      "Document with name SSM-SessionManagerRunShell does not exist.",
    );
  });

  test("every documented error reaches the SDK as its modelled exception", async () => {
    await ssm.send(
      new CreateDocumentCommand({ Name: "Errors-Doc", Content: content("20"), DocumentType: "Session" }),
    );
    await expectError(
      ssm.send(
        new CreateDocumentCommand({ Name: "Errors-Doc", Content: content("20"), DocumentType: "Session" }),
      ),
      DocumentAlreadyExists,
      "Document with same name Errors-Doc already exists",
    );
    await expectError(
      ssm.send(
        new UpdateDocumentCommand({ Name: "Errors-Doc", Content: content("20"), DocumentVersion: "$LATEST" }),
      ),
      DuplicateDocumentContent,
      /matches another document/,
    );
    await expectError(
      ssm.send(
        new UpdateDocumentCommand({ Name: "Errors-Doc", Content: content("9"), DocumentVersion: "7" }),
      ),
      InvalidDocumentVersion,
      /is not latest/,
    );
    await expectError(
      ssm.send(
        new CreateDocumentCommand({
          Name: "Schema-2",
          DocumentType: "Session",
          Content: JSON.stringify({ schemaVersion: "2.0", sessionType: "Standard_Stream", inputs: {} }),
        }),
      ),
      InvalidDocumentSchemaVersion,
      "2.0 is not a valid schema version for Session document type",
    );
    await expectError(
      ssm.send(
        new CreateDocumentCommand({ Name: "Idle-99", DocumentType: "Session", Content: content("99") }),
      ),
      InvalidDocumentContent,
      /idleSessionTimeout .* from 1 to 60/,
    );
    await assert.rejects(ssm.send(new CreateDocumentCommand({ Name: "AWS-Mine", Content: content("1") })), {
      name: "ValidationException",
      message: /^Invalid document name AWS-Mine/,
    });
  });

  test("tags, and finding leftovers by tag with the paginator", async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      await ssm.send(
        new CreateDocumentCommand({
          Name: `Leftover-${n}`,
          Content: content(String(n)),
          DocumentType: "Session",
          Tags: [{ Key: "ssm-conformance-run", Value: n % 2 ? "run-a" : "run-b" }],
        }),
      );
    }
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Document",
        ResourceId: "Leftover-2",
        Tags: [{ Key: "keep", Value: "yes" }],
      }),
    );
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "Leftover-2" }),
    );
    assert.deepEqual(tags.TagList, [
      { Key: "ssm-conformance-run", Value: "run-b" },
      { Key: "keep", Value: "yes" },
    ]);
    await ssm.send(
      new RemoveTagsFromResourceCommand({
        ResourceType: "Document",
        ResourceId: "Leftover-2",
        TagKeys: ["keep"],
      }),
    );

    const found: string[] = [];
    const pages = paginateListDocuments(
      { client: ssm, pageSize: 1 },
      { Filters: [{ Key: "tag:ssm-conformance-run", Values: ["run-a"] }] },
    );
    for await (const page of pages) found.push(...page.DocumentIdentifiers!.map((d) => d.Name!));
    assert.deepEqual(found, ["Leftover-1", "Leftover-3", "Leftover-5"]);

    const typed = await ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: "DocumentType", Values: ["Session"] }] }),
    );
    assert.ok(typed.DocumentIdentifiers!.every((d) => d.DocumentType === "Session"));
  });
});
