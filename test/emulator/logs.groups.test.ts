import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RequestContext } from "../../emulator/api/provider";
import { createLogsProvider, RETENTION_DAYS } from "../../emulator/logs";
import { CTX, NOW, type Out, rejects } from "./logs-support";

function setup(clock: { t: number } = { t: NOW }, ctx: RequestContext = CTX) {
  const { provider, store } = createLogsProvider({ now: () => clock.t });
  const call = async (op: string, input: Record<string, unknown> = {}, c = ctx): Promise<Out> => {
    const handler = provider.operations[op];
    assert.ok(handler, `operation ${op}`);
    return await handler(input, c);
  };
  return { provider, store, call, clock };
}

describe("logs provider: contract", () => {
  test("identifies as CloudWatch Logs", () => {
    const { provider } = setup();
    assert.equal(provider.signingName, "logs");
    assert.equal(provider.targetPrefix, "Logs_20140328");
    assert.equal(provider.errorMessageKey, "message");
    for (const op of [
      "CreateLogGroup",
      "DeleteLogGroup",
      "DescribeLogGroups",
      "PutRetentionPolicy",
      "DeleteRetentionPolicy",
      "CreateLogStream",
      "DeleteLogStream",
      "DescribeLogStreams",
      "PutLogEvents",
      "GetLogEvents",
      "FilterLogEvents",
      "TagLogGroup",
      "UntagLogGroup",
      "ListTagsLogGroup",
      "TagResource",
      "UntagResource",
      "ListTagsForResource",
      "AssociateKmsKey",
      "DisassociateKmsKey",
    ])
      assert.equal(typeof provider.operations[op], "function", op);
  });
});

describe("logs provider: log groups", () => {
  test("CreateLogGroup then DescribeLogGroups returns the AWS members", async () => {
    const { call } = setup();
    assert.deepEqual(await call("CreateLogGroup", { logGroupName: "/ssm/sessions" }), {});
    const out = await call("DescribeLogGroups", {});
    assert.deepEqual(out, {
      logGroups: [
        {
          logGroupName: "/ssm/sessions",
          creationTime: NOW,
          metricFilterCount: 0,
          arn: "arn:aws:logs:us-east-1:000000000000:log-group:/ssm/sessions:*",
          storedBytes: 0,
          logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/ssm/sessions",
        },
      ],
    });
  });

  test("kmsKeyId and retentionInDays appear only when set", async () => {
    const { call } = setup();
    const key = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555";
    await call("CreateLogGroup", { logGroupName: "enc", kmsKeyId: key });
    await call("CreateLogGroup", { logGroupName: "plain" });
    await call("PutRetentionPolicy", { logGroupName: "enc", retentionInDays: 30 });
    const { logGroups } = await call("DescribeLogGroups", {});
    assert.equal(logGroups[0].kmsKeyId, key);
    assert.equal(logGroups[0].retentionInDays, 30);
    assert.equal("kmsKeyId" in logGroups[1], false);
    assert.equal("retentionInDays" in logGroups[1], false);
    await call("DeleteRetentionPolicy", { logGroupName: "enc" });
    await call("DisassociateKmsKey", { logGroupName: "enc" });
    const again = await call("DescribeLogGroups", { logGroupNamePrefix: "enc" });
    assert.equal("retentionInDays" in again.logGroups[0], false);
    assert.equal("kmsKeyId" in again.logGroups[0], false);
    await call("AssociateKmsKey", { logGroupName: "plain", kmsKeyId: key });
    assert.equal(
      (await call("DescribeLogGroups", { logGroupNamePrefix: "plain" })).logGroups[0].kmsKeyId,
      key,
    );
  });

  test("CreateLogGroup twice: ResourceAlreadyExistsException", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    await rejects(
      call("CreateLogGroup", { logGroupName: "g" }),
      "ResourceAlreadyExistsException",
      "The specified log group already exists",
    );
  });

  test("CreateLogGroup validates the name", async () => {
    const { call } = setup();
    await rejects(
      call("CreateLogGroup", {}),
      "InvalidParameterException",
      "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
    );
    await rejects(
      call("CreateLogGroup", { logGroupName: "bad name" }),
      "InvalidParameterException",
      "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
    await rejects(
      call("CreateLogGroup", { logGroupName: "" }),
      "InvalidParameterException",
      /Member must have length greater than or equal to 1/,
    );
    await rejects(
      call("CreateLogGroup", { logGroupName: "a".repeat(513) }),
      "InvalidParameterException",
      /Member must have length less than or equal to 512/,
    );
    await rejects(call("CreateLogGroup", { logGroupName: 5 }), "SerializationException");
  });

  test("DeleteLogGroup removes the group and its streams; missing group: ResourceNotFoundException", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    assert.deepEqual(await call("DeleteLogGroup", { logGroupName: "g" }), {});
    assert.deepEqual((await call("DescribeLogGroups", {})).logGroups, []);
    await rejects(
      call("DeleteLogGroup", { logGroupName: "g" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await call("CreateLogGroup", { logGroupName: "g" });
    assert.deepEqual((await call("DescribeLogStreams", { logGroupName: "g" })).logStreams, []);
  });

  test("DescribeLogGroups: ASCII order, prefix, limit default 50, nextToken paging", async () => {
    const { call } = setup();
    const names = ["b", "B", "a/1", "a/2", "_x", "a-3", "a.4", "#h", "Z9", "a/10"];
    for (const n of names) await call("CreateLogGroup", { logGroupName: n });
    for (let i = 0; i < 60; i++)
      await call("CreateLogGroup", { logGroupName: `many/${String(i).padStart(2, "0")}` });
    const sorted = [
      ...names,
      ...Array.from({ length: 60 }, (_, i) => `many/${String(i).padStart(2, "0")}`),
    ].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const first = await call("DescribeLogGroups", {});
    assert.equal(first.logGroups.length, 50);
    assert.ok(first.nextToken);
    const second = await call("DescribeLogGroups", { nextToken: first.nextToken });
    assert.equal(second.logGroups.length, 20);
    assert.equal(second.nextToken, undefined);
    assert.deepEqual(
      [...first.logGroups, ...second.logGroups].map((g: Out) => g.logGroupName),
      sorted,
    );
    assert.deepEqual(
      (await call("DescribeLogGroups", { logGroupNamePrefix: "a" })).logGroups.map(
        (g: Out) => g.logGroupName,
      ),
      ["a-3", "a.4", "a/1", "a/10", "a/2"],
    );
    // page through a prefix with limit 2
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call("DescribeLogGroups", { logGroupNamePrefix: "a", limit: 2, nextToken: token });
      assert.ok(page.logGroups.length <= 2);
      seen.push(...page.logGroups.map((g: Out) => g.logGroupName));
      token = page.nextToken;
    } while (token);
    assert.deepEqual(seen, ["a-3", "a.4", "a/1", "a/10", "a/2"]);
  });

  test("DescribeLogGroups: logGroupNamePattern is a case-sensitive substring and returns fewer members", async () => {
    const { call } = setup();
    for (const n of ["DataLogs", "aws/DataLogs", "GroupDataLogs", "datalogs", "Data/log/s"])
      await call("CreateLogGroup", { logGroupName: n });
    const out = await call("DescribeLogGroups", { logGroupNamePattern: "DataLogs" });
    assert.deepEqual(
      out.logGroups.map((g: Out) => g.logGroupName),
      ["DataLogs", "GroupDataLogs", "aws/DataLogs"],
    );
    assert.deepEqual(Object.keys(out.logGroups[0]).sort(), ["arn", "creationTime", "logGroupName"]);
    await rejects(
      call("DescribeLogGroups", { logGroupNamePattern: "a", logGroupNamePrefix: "a" }),
      "InvalidParameterException",
      "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
    );
  });

  test("DescribeLogGroups: validation and bad tokens", async () => {
    const { call } = setup();
    await rejects(
      call("DescribeLogGroups", { limit: 0 }),
      "InvalidParameterException",
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await rejects(
      call("DescribeLogGroups", { limit: 51 }),
      "InvalidParameterException",
      /less than or equal to 50/,
    );
    await rejects(
      call("DescribeLogGroups", { nextToken: "garbage" }),
      "InvalidParameterException",
      "The specified nextToken is invalid.",
    );
  });

  test("groups are per account and region", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    const west = { ...CTX, region: "us-west-2" };
    assert.deepEqual((await call("DescribeLogGroups", {}, west)).logGroups, []);
    await call("CreateLogGroup", { logGroupName: "g" }, west);
    const { logGroups } = await call("DescribeLogGroups", {}, west);
    assert.equal(logGroups[0].logGroupArn, "arn:aws:logs:us-west-2:000000000000:log-group:g");
  });

  test("PutRetentionPolicy accepts exactly the AWS values", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    for (const days of RETENTION_DAYS)
      await call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: days });
    assert.equal((await call("DescribeLogGroups", {})).logGroups[0].retentionInDays, 3653);
    for (const days of [0, 2, 4, 31, 366, 3650, 10000, -1]) {
      await rejects(
        call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: days }),
        "InvalidParameterException",
        `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]`,
      );
    }
    await rejects(
      call("PutRetentionPolicy", { logGroupName: "nope", retentionInDays: 1 }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await rejects(call("DeleteRetentionPolicy", { logGroupName: "nope" }), "ResourceNotFoundException");
    await rejects(
      call("PutRetentionPolicy", { logGroupName: "g" }),
      "InvalidParameterException",
      /'retentionInDays'/,
    );
  });
});

describe("logs provider: log streams", () => {
  test("CreateLogStream and DescribeLogStreams members", async () => {
    const { call, clock } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    assert.deepEqual(await call("CreateLogStream", { logGroupName: "g", logStreamName: "s-1" }), {});
    const empty = (await call("DescribeLogStreams", { logGroupName: "g" })).logStreams[0];
    assert.equal(empty.logStreamName, "s-1");
    assert.equal(empty.creationTime, NOW);
    assert.equal(empty.arn, "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s-1");
    assert.equal(empty.storedBytes, 0);
    assert.match(empty.uploadSequenceToken, /^[0-9]{56}$/);
    for (const k of ["firstEventTimestamp", "lastEventTimestamp", "lastIngestionTime"])
      assert.equal(k in empty, false);

    clock.t = NOW + 5000;
    const put = await call("PutLogEvents", {
      logGroupName: "g",
      logStreamName: "s-1",
      logEvents: [
        { timestamp: NOW - 1000, message: "a" },
        { timestamp: NOW + 1000, message: "bb" },
      ],
    });
    const s = (await call("DescribeLogStreams", { logGroupName: "g" })).logStreams[0];
    assert.equal(s.firstEventTimestamp, NOW - 1000);
    assert.equal(s.lastEventTimestamp, NOW + 1000);
    assert.equal(s.lastIngestionTime, NOW + 5000);
    assert.equal(s.uploadSequenceToken, put.nextSequenceToken);
    assert.equal(s.storedBytes, 0); // deprecated for streams: always zero
    assert.equal((await call("DescribeLogGroups", {})).logGroups[0].storedBytes, 3);
  });

  test("CreateLogStream errors", async () => {
    const { call } = setup();
    await rejects(
      call("CreateLogStream", { logGroupName: "g", logStreamName: "s" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    await rejects(
      call("CreateLogStream", { logGroupName: "g", logStreamName: "s" }),
      "ResourceAlreadyExistsException",
      "The specified log stream already exists",
    );
    for (const bad of ["a:b", "a*b", ""]) {
      await rejects(
        call("CreateLogStream", { logGroupName: "g", logStreamName: bad }),
        "InvalidParameterException",
      );
    }
    await rejects(
      call("CreateLogStream", { logGroupName: "g", logStreamName: "x:y" }),
      "InvalidParameterException",
      "1 validation error detected: Value 'x:y' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
    );
    await rejects(
      call("CreateLogStream", { logGroupName: "g", logStreamName: "s".repeat(513) }),
      "InvalidParameterException",
      /less than or equal to 512/,
    );
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s".repeat(512) });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "with space/and#ünïcode" });
    await rejects(
      call("CreateLogStream", { logGroupName: "g" }),
      "InvalidParameterException",
      /Value null at 'logStreamName' failed to satisfy constraint: Member must not be null/,
    );
  });

  test("DeleteLogStream", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    assert.deepEqual(await call("DeleteLogStream", { logGroupName: "g", logStreamName: "s" }), {});
    await rejects(
      call("DeleteLogStream", { logGroupName: "g", logStreamName: "s" }),
      "ResourceNotFoundException",
      "The specified log stream does not exist.",
    );
    await rejects(
      call("DeleteLogStream", { logGroupName: "h", logStreamName: "s" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
  });

  test("DescribeLogStreams: prefix, descending, limit and paging", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    const names = ["sess-b", "sess-a", "other", "sess-c", "sess-a2", "Sess-z"];
    for (const n of names) await call("CreateLogStream", { logGroupName: "g", logStreamName: n });
    const list = async (input: Record<string, unknown>) => {
      const out: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call("DescribeLogStreams", { logGroupName: "g", ...input, nextToken });
        out.push(...page.logStreams.map((s: Out) => s.logStreamName));
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    };
    assert.deepEqual(await list({}), ["Sess-z", "other", "sess-a", "sess-a2", "sess-b", "sess-c"]);
    assert.deepEqual(await list({ logStreamNamePrefix: "sess-" }), ["sess-a", "sess-a2", "sess-b", "sess-c"]);
    assert.deepEqual(await list({ logStreamNamePrefix: "sess-", limit: 1 }), [
      "sess-a",
      "sess-a2",
      "sess-b",
      "sess-c",
    ]);
    assert.deepEqual(await list({ descending: true, limit: 2 }), [
      "sess-c",
      "sess-b",
      "sess-a2",
      "sess-a",
      "other",
      "Sess-z",
    ]);
    assert.deepEqual(await list({ logStreamNamePrefix: "nothing" }), []);
    const page = await call("DescribeLogStreams", { logGroupName: "g", limit: 6 });
    assert.equal(page.nextToken, undefined);
  });

  test("DescribeLogStreams: orderBy LastEventTime", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    for (const [name, ts] of [
      ["a", NOW - 3000],
      ["b", NOW - 1000],
      ["c", NOW - 2000],
    ] as const) {
      await call("CreateLogStream", { logGroupName: "g", logStreamName: name });
      await call("PutLogEvents", {
        logGroupName: "g",
        logStreamName: name,
        logEvents: [{ timestamp: ts, message: "m" }],
      });
    }
    const asc = await call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime" });
    assert.deepEqual(
      asc.logStreams.map((s: Out) => s.logStreamName),
      ["a", "c", "b"],
    );
    const first = await call("DescribeLogStreams", {
      logGroupName: "g",
      orderBy: "LastEventTime",
      descending: true,
      limit: 2,
    });
    assert.deepEqual(
      first.logStreams.map((s: Out) => s.logStreamName),
      ["b", "c"],
    );
    const rest = await call("DescribeLogStreams", {
      logGroupName: "g",
      orderBy: "LastEventTime",
      descending: true,
      limit: 2,
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      rest.logStreams.map((s: Out) => s.logStreamName),
      ["a"],
    );
    assert.equal(rest.nextToken, undefined);
    await rejects(
      call("DescribeLogStreams", { logGroupName: "g", orderBy: "LastEventTime", logStreamNamePrefix: "a" }),
      "InvalidParameterException",
      "Cannot order by LastEventTime with a logStreamNamePrefix.",
    );
    await rejects(
      call("DescribeLogStreams", { logGroupName: "g", orderBy: "Name" }),
      "InvalidParameterException",
      "1 validation error detected: Value 'Name' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]",
    );
  });

  test("DescribeLogStreams: group by identifier (name or ARN), errors", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "/g/1" });
    await call("CreateLogStream", { logGroupName: "/g/1", logStreamName: "s" });
    const arn = "arn:aws:logs:us-east-1:000000000000:log-group:/g/1";
    for (const id of ["/g/1", arn]) {
      const out = await call("DescribeLogStreams", { logGroupIdentifier: id });
      assert.deepEqual(
        out.logStreams.map((s: Out) => s.logStreamName),
        ["s"],
      );
    }
    await rejects(
      call("DescribeLogStreams", {
        logGroupIdentifier: "arn:aws:logs:eu-west-1:000000000000:log-group:/g/1",
      }),
      "ResourceNotFoundException",
    );
    await rejects(
      call("DescribeLogStreams", { logGroupName: "/g/1", logGroupIdentifier: arn }),
      "ValidationException",
      "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
    );
    await rejects(call("DescribeLogStreams", {}), "InvalidParameterException");
    await rejects(
      call("DescribeLogStreams", { logGroupName: "missing" }),
      "ResourceNotFoundException",
      "The specified log group does not exist.",
    );
    await rejects(
      call("DescribeLogStreams", { logGroupName: "/g/1", nextToken: "x" }),
      "InvalidParameterException",
      "The specified nextToken is invalid.",
    );
  });
});

describe("logs provider: tags", () => {
  test("tags from CreateLogGroup, TagLogGroup/UntagLogGroup/ListTagsLogGroup", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g", tags: { team: "qa", env: "ci" } });
    assert.deepEqual(await call("ListTagsLogGroup", { logGroupName: "g" }), {
      tags: { team: "qa", env: "ci" },
    });
    await call("TagLogGroup", { logGroupName: "g", tags: { env: "prod", owner: "me" } });
    assert.deepEqual((await call("ListTagsLogGroup", { logGroupName: "g" })).tags, {
      team: "qa",
      env: "prod",
      owner: "me",
    });
    await call("UntagLogGroup", { logGroupName: "g", tags: ["team", "absent"] });
    assert.deepEqual((await call("ListTagsLogGroup", { logGroupName: "g" })).tags, {
      env: "prod",
      owner: "me",
    });
    await rejects(call("ListTagsLogGroup", { logGroupName: "nope" }), "ResourceNotFoundException");
  });

  test("TagResource/UntagResource/ListTagsForResource by log group ARN", async () => {
    const { call } = setup();
    await call("CreateLogGroup", { logGroupName: "g" });
    const arn = "arn:aws:logs:us-east-1:000000000000:log-group:g";
    await call("TagResource", { resourceArn: arn, tags: { a: "1", b: "2" } });
    assert.deepEqual(await call("ListTagsForResource", { resourceArn: arn }), { tags: { a: "1", b: "2" } });
    await call("UntagResource", { resourceArn: arn, tagKeys: ["a"] });
    assert.deepEqual(await call("ListTagsForResource", { resourceArn: arn }), { tags: { b: "2" } });
    await rejects(
      call("ListTagsForResource", { resourceArn: "arn:aws:logs:us-east-1:000000000000:log-group:nope" }),
      "ResourceNotFoundException",
    );
    await rejects(call("ListTagsForResource", { resourceArn: `${arn}:*` }), "ResourceNotFoundException");
  });

  test("tag limits and validation", async () => {
    const { call } = setup();
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    await call("CreateLogGroup", { logGroupName: "g", tags: fifty });
    await rejects(call("TagLogGroup", { logGroupName: "g", tags: { extra: "v" } }), "TooManyTagsException");
    await call("TagLogGroup", { logGroupName: "g", tags: { k0: "changed" } });
    await rejects(
      call("CreateLogGroup", { logGroupName: "h", tags: { ...fifty, extra: "v" } }),
      "InvalidParameterException",
      /less than or equal to 50/,
    );
    await rejects(
      call("CreateLogGroup", { logGroupName: "h", tags: { "bad*key": "v" } }),
      "InvalidParameterException",
    );
    await rejects(call("CreateLogGroup", { logGroupName: "h", tags: {} }), "InvalidParameterException");
  });
});
