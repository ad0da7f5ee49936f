/**
 * What the CloudWatch Logs provider tests share: a fixed clock, the caller of every request, and the check
 * of a refused request.
 */
import assert from "node:assert/strict";
import { AwsServiceError, type RequestContext } from "../../emulator/api/provider";

export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

export const CTX: RequestContext = {
  caller: {
    accessKeyId: "test",
    accountId: "000000000000",
    arn: "arn:aws:iam::000000000000:user/tester",
    userId: "AIDAZEMULATORTESTER01",
  },
  region: "us-east-1",
  requestId: "req-1",
};

// biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field
export type Out = any;

/** The request is refused as a client error (HTTP 400) with this code and, when given, this message. */
export async function rejects(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsServiceError, `expected AwsServiceError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.httpStatus, 400);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
