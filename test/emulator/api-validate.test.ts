import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import { z } from "zod";
import { AwsServiceError, type ServiceProvider } from "../../emulator/api/provider";
import { type ApiServer, startApiServer } from "../../emulator/api/server";
import { parseInput } from "../../emulator/api/validate";

function errorOf(fn: () => unknown): AwsServiceError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AwsServiceError);
    return err;
  }
  assert.fail("expected an error");
}

describe("parseInput", () => {
  const schema = z.object({
    Target: z.string().min(1).max(400),
    DocumentName: z
      .string()
      .regex(/^[a-zA-Z0-9_\-.:/]{3,128}$/)
      .optional(),
    State: z.enum(["Active", "History"]).optional(),
    MaxResults: z.number().int().min(1).max(200).optional(),
    Filters: z.array(z.object({ key: z.string(), value: z.string().min(1) })).optional(),
  });

  test("returns the parsed input", () => {
    assert.deepEqual(parseInput(schema, { Target: "i-1" }, "ValidationException"), { Target: "i-1" });
  });

  test("a missing member is 'must not be null', with a lower-camel path and the given code", () => {
    const err = errorOf(() => parseInput(schema, {}, "ValidationException"));
    assert.equal(err.code, "ValidationException");
    assert.equal(err.httpStatus, 400);
    assert.equal(
      err.message,
      "1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null",
    );
  });

  test("several errors: lengths, values, patterns, enums, list items", () => {
    const err = errorOf(() =>
      parseInput(
        schema,
        {
          Target: "",
          DocumentName: "x",
          State: "Gone",
          MaxResults: 0,
          Filters: [{ key: "Owner", value: "" }],
        },
        "InvalidParameterException",
      ),
    );
    assert.equal(err.code, "InvalidParameterException");
    assert.equal(
      err.message,
      "5 validation errors detected: " +
        "Value '' at 'target' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'x' at 'documentName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.:/]{3,128}$; " +
        "Value 'Gone' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [Active, History]; " +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '' at 'filters.1.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test("a value of the wrong JSON type is a SerializationException", () => {
    const err = errorOf(() => parseInput(schema, { Target: 42 }, "ValidationException"));
    assert.equal(err.code, "SerializationException");
    assert.equal(err.message, "NUMBER_VALUE can not be converted to a String");
    const list = errorOf(() => parseInput(schema, { Target: [] }, "ValidationException"));
    assert.equal(list.message, "Start of list found where not expected");
  });

  test("a check whose message starts with 'Member must' keeps that text", () => {
    const custom = z.object({
      logGroupName: z
        .string()
        .regex(
          /^[.\-_/#A-Za-z0-9]+$/,
          "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
        ),
      tags: z.array(z.string()).max(1),
    });
    const err = errorOf(() =>
      parseInput(custom, { logGroupName: "a b", tags: ["x", "y"] }, "InvalidParameterException"),
    );
    assert.equal(
      err.message,
      "2 validation errors detected: " +
        "Value 'a b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; " +
        "Value '[x, y]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  });
});

describe("provider errors through the SSM SDK client", () => {
  // A throwaway stand-in for the SSM provider: SSM's error key is `Message`.
  const ssm: ServiceProvider = {
    signingName: "ssm",
    targetPrefix: "AmazonSSM",
    errorMessageKey: "Message",
    internalErrorCode: "InternalServerError",
    operations: {
      StartSession: (input) => {
        const { Target } = parseInput(z.object({ Target: z.string().min(1) }), input, "ValidationException");
        throw new AwsServiceError("TargetNotConnected", `${Target} is not connected.`);
      },
      TerminateSession: () => {
        throw new Error("bug");
      },
    },
  };
  let api: ApiServer;
  let client: SSMClient;
  before(async () => {
    api = await startApiServer({ providers: [ssm] });
    client = new SSMClient({
      endpoint: api.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await api.close();
  });

  test("a modeled error keeps its name and Message", async () => {
    await assert.rejects(client.send(new StartSessionCommand({ Target: "i-0abc" })), {
      name: "TargetNotConnected",
      message: "i-0abc is not connected.",
    });
  });

  test("a validation error reaches the client as ValidationException", async () => {
    await assert.rejects(client.send(new StartSessionCommand({ Target: "" })), {
      name: "ValidationException",
      message:
        "1 validation error detected: Value '' at 'target' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  test("an unexpected failure is the provider's internal error code, HTTP 500", async () => {
    await assert.rejects(client.send(new TerminateSessionCommand({ SessionId: "s-1" })), (err: Error) => {
      assert.equal(err.name, "InternalServerError");
      assert.equal((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 500);
      return true;
    });
  });
});
