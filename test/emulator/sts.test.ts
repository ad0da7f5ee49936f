import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_PRINCIPAL, type Principal } from "../../emulator/api/credentials";
import { type ApiServer, startApiServer } from "../../emulator/api/server";
import { createStsProvider } from "../../emulator/sts";

const AUDITOR: Principal = {
  accessKeyId: "AKIAAUDITOR",
  secretAccessKey: "auditor-secret",
  accountId: "222222222222",
  arn: "arn:aws:iam::222222222222:user/auditor",
  userId: "AIDAAUDITOR0000000001",
};

describe("sts", () => {
  let api: ApiServer;
  before(async () => {
    api = await startApiServer({
      providers: [createStsProvider()],
      principals: [DEFAULT_PRINCIPAL, AUDITOR],
    });
  });
  after(() => api.close());

  const callerOf = async (accessKeyId: string, secretAccessKey: string) => {
    const sts = new STSClient({
      endpoint: api.url,
      region: "us-east-1",
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    try {
      const { UserId, Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
      return { UserId, Account, Arn };
    } finally {
      sts.destroy();
    }
  };

  test("GetCallerIdentity returns the default principal through the SDK client (awsQuery)", async () => {
    assert.deepEqual(await callerOf("test", "test"), {
      UserId: "AIDAZEMULATORTESTER01",
      Account: "000000000000",
      Arn: "arn:aws:iam::000000000000:user/tester",
    });
  });

  test("GetCallerIdentity returns the signing principal", async () => {
    assert.deepEqual(await callerOf(AUDITOR.accessKeyId, AUDITOR.secretAccessKey), {
      UserId: AUDITOR.userId,
      Account: AUDITOR.accountId,
      Arn: AUDITOR.arn,
    });
  });

  test("the query response is STS-shaped XML", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/xml");
    const xml = await res.text();
    assert.match(xml, /<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    assert.match(
      xml,
      /<GetCallerIdentityResult><UserId>AIDAZEMULATORTESTER01<\/UserId><Account>000000000000<\/Account>/,
    );
    assert.match(xml, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  test("an unknown query action is an InvalidAction XML error", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=AssumeRole&Version=2011-06-15",
    });
    assert.equal(res.status, 400);
    const xml = await res.text();
    assert.match(xml, /<ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>/);
  });

  test("also served over JSON 1.0", async () => {
    const res = await fetch(api.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
      },
      body: "{}",
    });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(await res.text()).Arn, DEFAULT_PRINCIPAL.arn);
  });
});
