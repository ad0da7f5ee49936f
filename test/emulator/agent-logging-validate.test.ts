import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { CloudWatchLogsClient, type DescribeLogGroupsResponse } from "@aws-sdk/client-cloudwatch-logs";
import { type LogsApi, sdkLogsApi } from "../../emulator/agent/logging/logsApi";
import {
  CLOUDWATCH_ENCRYPTION_ERROR,
  LOG_GROUP_WARNING,
  validateLogging,
} from "../../emulator/agent/logging/validate";

/** A LogsApi answering DescribeLogGroups from fixed pages (keyed by nextToken), or failing. */
function groupsApi(pages: Record<string, DescribeLogGroupsResponse> | Error): LogsApi & { calls: unknown[] } {
  const calls: unknown[] = [];
  const unused = () => Promise.reject(new Error("not used by validation"));
  return {
    calls,
    describeLogGroups: async (input) => {
      calls.push(input);
      if (pages instanceof Error) throw pages;
      return pages[input.nextToken ?? ""] ?? {};
    },
    createLogStream: unused,
    describeLogStreams: unused,
    putLogEvents: unused,
  };
}

const plain = groupsApi({
  "": { logGroups: [{ logGroupName: "sessions" }, { logGroupName: "sessions-old" }] },
});
const encrypted = groupsApi({ "": { logGroups: [{ logGroupName: "sessions", kmsKeyId: "arn:aws:kms:k" }] } });
const none = groupsApi({ "": { logGroups: [{ logGroupName: "sessions-old" }] } });

describe("validateLogging", () => {
  it("turns logging off without a log group, without calling CloudWatch", async () => {
    const api = groupsApi(new Error("must not be called"));
    assert.deepEqual(await validateLogging({ cloudWatchStreamingEnabled: true }, api), {
      ok: true,
      mode: "off",
      streaming: false,
      warnings: [],
    });
    assert.equal(api.calls.length, 0);
  });

  it("streams or uploads when the group exists", async () => {
    const prefs = { cloudWatchLogGroupName: "sessions", cloudWatchEncryptionEnabled: false };
    assert.deepEqual(await validateLogging({ ...prefs, cloudWatchStreamingEnabled: true }, plain), {
      ok: true,
      mode: "streaming",
      streaming: true,
      warnings: [],
    });
    assert.deepEqual(await validateLogging({ ...prefs, cloudWatchStreamingEnabled: false }, plain), {
      ok: true,
      mode: "upload",
      streaming: false,
      warnings: [],
    });
  });

  it("warns and turns streaming off when the group is missing", async () => {
    const prefs = { cloudWatchLogGroupName: "sessions", cloudWatchStreamingEnabled: true };
    assert.deepEqual(await validateLogging(prefs, none), {
      ok: true,
      mode: "off",
      streaming: false,
      warnings: [LOG_GROUP_WARNING],
    });
    assert.equal(
      LOG_GROUP_WARNING,
      "The CloudWatch log group specified in session preferences either does not exist or unable to validate its existence. This might result in no logging of session data to CloudWatch.",
    );
    const upload = await validateLogging({ ...prefs, cloudWatchStreamingEnabled: false }, none);
    assert.deepEqual(upload, { ok: true, mode: "upload", streaming: false, warnings: [LOG_GROUP_WARNING] });
  });

  it("warns when DescribeLogGroups fails (e.g. no permission)", async () => {
    const denied = groupsApi(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const result = await validateLogging(
      { cloudWatchLogGroupName: "sessions", cloudWatchStreamingEnabled: true },
      denied,
    );
    assert.deepEqual(result, { ok: true, mode: "off", streaming: false, warnings: [LOG_GROUP_WARNING] });
  });

  it("follows DescribeLogGroups pages", async () => {
    const paged = groupsApi({
      "": { logGroups: [{ logGroupName: "sessions-a" }], nextToken: "t1" },
      t1: { logGroups: [{ logGroupName: "sessions", kmsKeyId: "k" }] },
    });
    const prefs = {
      cloudWatchLogGroupName: "sessions",
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
    };
    assert.equal((await validateLogging(prefs, paged)).ok, true);
    assert.deepEqual(paged.calls, [
      { logGroupNamePrefix: "sessions", nextToken: undefined },
      { logGroupNamePrefix: "sessions", nextToken: "t1" },
    ]);
  });

  it("fails the session when encryption is required and the group has no KMS key", async () => {
    assert.equal(
      CLOUDWATCH_ENCRYPTION_ERROR,
      "We couldn't start the session because encryption is not set up on the selected CloudWatch Logs log group. Either encrypt the log group or choose an option to enable logging without encryption.",
    );
    for (const flag of [true, "true"] as const) {
      const prefs = { cloudWatchLogGroupName: "sessions", cloudWatchEncryptionEnabled: flag };
      assert.deepEqual(await validateLogging(prefs, plain), {
        ok: false,
        error: CLOUDWATCH_ENCRYPTION_ERROR,
      });
      assert.deepEqual(await validateLogging(prefs, none), { ok: false, error: CLOUDWATCH_ENCRYPTION_ERROR });
      assert.equal((await validateLogging(prefs, encrypted)).ok, true);
    }
  });

  it("accepts the string forms of the encryption flag but not of the streaming flag", async () => {
    const base = { cloudWatchLogGroupName: "sessions" };
    for (const flag of ["false", ""]) {
      assert.equal((await validateLogging({ ...base, cloudWatchEncryptionEnabled: flag }, plain)).ok, true);
    }
    const invalid = await validateLogging({ ...base, cloudWatchStreamingEnabled: "true" }, plain);
    assert.equal(invalid.ok, false);
  });
});

describe("sdkLogsApi", () => {
  it("drives the real SDK client against a CloudWatch Logs JSON 1.1 endpoint", async (t) => {
    const requests: { target: string | undefined; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        requests.push({ target: req.headers["x-amz-target"] as string | undefined, body: JSON.parse(body) });
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(JSON.stringify({ logGroups: [{ logGroupName: "sessions", kmsKeyId: "k" }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const client = new CloudWatchLogsClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "test-secret" },
    });
    t.after(() => client.destroy());
    const prefs = {
      cloudWatchLogGroupName: "sessions",
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
    };
    const result = await validateLogging(prefs, sdkLogsApi(client));
    assert.deepEqual(result, { ok: true, mode: "streaming", streaming: true, warnings: [] });
    assert.deepEqual(requests, [
      { target: "Logs_20140328.DescribeLogGroups", body: { logGroupNamePrefix: "sessions" } },
    ]);
  });
});
