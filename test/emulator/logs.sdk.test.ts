/** The logs provider behind the real API front door, driven by the real CloudWatchLogsClient. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DisassociateKmsKeyCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagLogGroupCommand,
  TagResourceCommand,
  TooManyTagsException,
  UntagLogGroupCommand,
  UntagResourceCommand,
  ValidationException,
} from "@aws-sdk/client-cloudwatch-logs";
import { type ApiServer, startApiServer } from "../../emulator/api/server";
import { createLogsProvider } from "../../emulator/logs";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";

describe("logs provider through the SDK", () => {
  let api: ApiServer;
  let client: CloudWatchLogsClient;
  let base: number;

  before(async () => {
    const { provider } = createLogsProvider({ filterScanBudget: 3 });
    api = await startApiServer({ providers: [provider], strictSigV4: true });
    client = new CloudWatchLogsClient({
      endpoint: api.url,
      region: REGION,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    base = Date.now() - 60_000;
  });
  after(async () => {
    client.destroy();
    await api.close();
  });

  test("groups: create, describe (all members parsed), retention, KMS, paginate, delete", async () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    await client.send(
      new CreateLogGroupCommand({ logGroupName: "/sdk/enc", kmsKeyId: key, tags: { team: "qa" } }),
    );
    await client.send(new PutRetentionPolicyCommand({ logGroupName: "/sdk/enc", retentionInDays: 7 }));
    const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/sdk/enc" }));
    assert.equal(out.logGroups?.length, 1);
    const g = out.logGroups![0]!;
    assert.equal(g.logGroupName, "/sdk/enc");
    assert.equal(g.arn, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sdk/enc:*`);
    assert.equal(g.logGroupArn, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sdk/enc`);
    assert.equal(g.kmsKeyId, key);
    assert.equal(g.retentionInDays, 7);
    assert.equal(g.metricFilterCount, 0);
    assert.equal(g.storedBytes, 0);
    assert.equal(typeof g.creationTime, "number");

    await client.send(new DeleteRetentionPolicyCommand({ logGroupName: "/sdk/enc" }));
    await client.send(new DisassociateKmsKeyCommand({ logGroupName: "/sdk/enc" }));
    let again = (await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/sdk/enc" })))
      .logGroups![0]!;
    assert.equal(again.retentionInDays, undefined);
    assert.equal(again.kmsKeyId, undefined);
    await client.send(new AssociateKmsKeyCommand({ logGroupName: "/sdk/enc", kmsKeyId: key }));
    again = (await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/sdk/enc" })))
      .logGroups![0]!;
    assert.equal(again.kmsKeyId, key);

    for (let i = 0; i < 7; i++)
      await client.send(new CreateLogGroupCommand({ logGroupName: `/sdk/many/${i}` }));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeLogGroups(
      { client, pageSize: 3 },
      { logGroupNamePrefix: "/sdk/many/" },
    )) {
      pages++;
      names.push(...(page.logGroups ?? []).map((x) => x.logGroupName!));
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      names,
      Array.from({ length: 7 }, (_, i) => `/sdk/many/${i}`),
    );

    await client.send(new DeleteLogGroupCommand({ logGroupName: "/sdk/many/0" }));
    await assert.rejects(
      client.send(new DeleteLogGroupCommand({ logGroupName: "/sdk/many/0" })),
      (e: unknown) =>
        e instanceof ResourceNotFoundException &&
        e.message === "The specified log group does not exist." &&
        e.$metadata.httpStatusCode === 400,
    );
    await assert.rejects(
      client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/enc" })),
      (e: unknown) =>
        e instanceof ResourceAlreadyExistsException && e.message === "The specified log group already exists",
    );
    await assert.rejects(
      client.send(new PutRetentionPolicyCommand({ logGroupName: "/sdk/enc", retentionInDays: 2 })),
      (e: unknown) => e instanceof InvalidParameterException && /enum value set/.test(e.message),
    );
    await assert.rejects(
      client.send(new CreateLogGroupCommand({ logGroupName: "bad name" })),
      (e: unknown) => e instanceof InvalidParameterException && /regular expression pattern/.test(e.message),
    );
  });

  test("tags: both API generations", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/tags", tags: { a: "1" } }));
    await client.send(new TagLogGroupCommand({ logGroupName: "/sdk/tags", tags: { b: "2" } }));
    await client.send(new UntagLogGroupCommand({ logGroupName: "/sdk/tags", tags: ["a"] }));
    assert.deepEqual((await client.send(new ListTagsLogGroupCommand({ logGroupName: "/sdk/tags" }))).tags, {
      b: "2",
    });
    const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sdk/tags`;
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: { c: "3" } }));
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["b"] }));
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, {
      c: "3",
    });
    const fifty = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: fifty }));
    await assert.rejects(
      client.send(new TagResourceCommand({ resourceArn: arn, tags: { extra: "v" } })),
      (e: unknown) => e instanceof TooManyTagsException,
    );
  });

  test("streams: create, describe (all members), order, delete, errors", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/streams" }));
    for (const s of ["s-b", "s-a", "x"])
      await client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/streams", logStreamName: s }));
    const put = await client.send(
      new PutLogEventsCommand({
        logGroupName: "/sdk/streams",
        logStreamName: "s-b",
        logEvents: [{ timestamp: base, message: "hello" }],
      }),
    );
    const out = await client.send(
      new DescribeLogStreamsCommand({ logGroupName: "/sdk/streams", logStreamNamePrefix: "s-" }),
    );
    assert.deepEqual(
      out.logStreams?.map((s) => s.logStreamName),
      ["s-a", "s-b"],
    );
    const sb = out.logStreams![1]!;
    assert.equal(sb.arn, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sdk/streams:log-stream:s-b`);
    assert.equal(sb.firstEventTimestamp, base);
    assert.equal(sb.lastEventTimestamp, base);
    assert.equal(typeof sb.lastIngestionTime, "number");
    assert.equal(sb.uploadSequenceToken, put.nextSequenceToken);
    assert.equal(sb.storedBytes, 0);
    const byTime = await client.send(
      new DescribeLogStreamsCommand({
        logGroupIdentifier: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sdk/streams`,
        orderBy: "LastEventTime",
        descending: true,
        limit: 1,
      }),
    );
    assert.equal(byTime.logStreams?.[0]?.logStreamName, "s-b");
    assert.ok(byTime.nextToken);

    await client.send(new DeleteLogStreamCommand({ logGroupName: "/sdk/streams", logStreamName: "x" }));
    await assert.rejects(
      client.send(new DeleteLogStreamCommand({ logGroupName: "/sdk/streams", logStreamName: "x" })),
      (e: unknown) =>
        e instanceof ResourceNotFoundException && e.message === "The specified log stream does not exist.",
    );
    await assert.rejects(
      client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/streams", logStreamName: "s-a" })),
      (e: unknown) =>
        e instanceof ResourceAlreadyExistsException &&
        e.message === "The specified log stream already exists",
    );
    await assert.rejects(
      client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/none", logStreamName: "s" })),
      (e: unknown) =>
        e instanceof ResourceNotFoundException && e.message === "The specified log group does not exist.",
    );
    await assert.rejects(
      client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/streams", logStreamName: "a:b" })),
      (e: unknown) => e instanceof InvalidParameterException,
    );
    await assert.rejects(
      client.send(
        new DescribeLogStreamsCommand({
          logGroupName: "/sdk/streams",
          orderBy: "LastEventTime",
          logStreamNamePrefix: "s",
        }),
      ),
      (e: unknown) =>
        e instanceof InvalidParameterException &&
        e.message === "Cannot order by LastEventTime with a logStreamNamePrefix.",
    );
    await assert.rejects(
      client.send(
        new DescribeLogStreamsCommand({
          logGroupName: "/sdk/streams",
          logGroupIdentifier: "/sdk/streams",
        }),
      ),
      (e: unknown) => e instanceof ValidationException,
    );
  });

  test("PutLogEvents limits and partial rejection over the wire", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/put" }));
    await client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/put", logStreamName: "s" }));
    const now = Date.now();
    const max = await client.send(
      new PutLogEventsCommand({
        logGroupName: "/sdk/put",
        logStreamName: "s",
        logEvents: [{ timestamp: now, message: "x".repeat(1_048_576 - 26) }],
      }),
    );
    assert.match(max.nextSequenceToken ?? "", /^[0-9]{56}$/);
    assert.equal(max.rejectedLogEventsInfo, undefined);
    await assert.rejects(
      client.send(
        new PutLogEventsCommand({
          logGroupName: "/sdk/put",
          logStreamName: "s",
          logEvents: [{ timestamp: now, message: "x".repeat(1_048_576 - 25) }],
        }),
      ),
      (e: unknown) =>
        e instanceof InvalidParameterException &&
        e.message === "Upload too large: 1048577 bytes exceeds limit of 1048576",
    );
    const partial = await client.send(
      new PutLogEventsCommand({
        logGroupName: "/sdk/put",
        logStreamName: "s",
        logEvents: [
          { timestamp: now, message: "ok" },
          { timestamp: now + 3 * 3600_000, message: "too new" },
        ],
      }),
    );
    assert.deepEqual(partial.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    await assert.rejects(
      client.send(
        new PutLogEventsCommand({
          logGroupName: "/sdk/put",
          logStreamName: "s",
          logEvents: [
            { timestamp: now, message: "b" },
            { timestamp: now - 1, message: "a" },
          ],
        }),
      ),
      (e: unknown) =>
        e instanceof InvalidParameterException &&
        e.message === "Log events in a single PutLogEvents request must be in chronological order.",
    );
    await assert.rejects(
      client.send(
        new PutLogEventsCommand({
          logGroupName: "/sdk/put",
          logStreamName: "missing",
          logEvents: [{ timestamp: now, message: "x" }],
        }),
      ),
      (e: unknown) =>
        e instanceof ResourceNotFoundException && e.message === "The specified log stream does not exist.",
    );
  });

  test("GetLogEvents tokens and the SDK paginator (ends on the repeated forward token)", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/get" }));
    await client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/get", logStreamName: "s" }));
    await client.send(
      new PutLogEventsCommand({
        logGroupName: "/sdk/get",
        logStreamName: "s",
        logEvents: Array.from({ length: 7 }, (_, i) => ({ timestamp: base + i, message: `e${i}` })),
      }),
    );
    const latest = await client.send(
      new GetLogEventsCommand({ logGroupName: "/sdk/get", logStreamName: "s", limit: 2 }),
    );
    assert.deepEqual(
      latest.events?.map((e) => e.message),
      ["e5", "e6"],
    );
    assert.equal(typeof latest.events?.[0]?.ingestionTime, "number");
    assert.match(latest.nextForwardToken ?? "", /^f\/[0-9]{56}\/s$/);
    assert.match(latest.nextBackwardToken ?? "", /^b\/[0-9]{56}\/s$/);
    const back = await client.send(
      new GetLogEventsCommand({
        logGroupName: "/sdk/get",
        logStreamName: "s",
        limit: 2,
        nextToken: latest.nextBackwardToken,
      }),
    );
    assert.deepEqual(
      back.events?.map((e) => e.message),
      ["e3", "e4"],
    );

    const seen: string[] = [];
    for await (const page of paginateGetLogEvents(
      { client, pageSize: 3, stopOnSameToken: true },
      { logGroupName: "/sdk/get", logStreamName: "s", startFromHead: true },
    ))
      seen.push(...(page.events ?? []).map((e) => e.message!));
    assert.deepEqual(seen, ["e0", "e1", "e2", "e3", "e4", "e5", "e6"]);
  });

  test("FilterLogEvents with patterns and the SDK paginator (through empty pages)", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: "/sdk/filter" }));
    for (const s of ["sess-1", "sess-2"])
      await client.send(new CreateLogStreamCommand({ logGroupName: "/sdk/filter", logStreamName: s }));
    const event = (sid: string, line: string) => JSON.stringify({ sessionId: sid, sessionData: [line] });
    for (const s of ["sess-1", "sess-2"])
      await client.send(
        new PutLogEventsCommand({
          logGroupName: "/sdk/filter",
          logStreamName: s,
          logEvents: Array.from({ length: 5 }, (_, i) => ({
            timestamp: base + i * 10 + (s === "sess-2" ? 5 : 0),
            message: event(s, i === 3 ? `MARK-${s}` : `line ${i}`),
          })),
        }),
      );
    const all: string[] = [];
    let pages = 0;
    for await (const page of paginateFilterLogEvents(
      { client, pageSize: 2 },
      { logGroupName: "/sdk/filter" },
    )) {
      pages++;
      for (const e of page.events ?? []) {
        assert.match(e.eventId ?? "", /^[0-9]{56}$/);
        assert.equal(typeof e.ingestionTime, "number");
        all.push(`${e.logStreamName}:${JSON.parse(e.message!).sessionData[0]}`);
      }
      assert.deepEqual(page.searchedLogStreams, []);
    }
    assert.equal(all.length, 10);
    assert.equal(all[0], "sess-1:line 0");
    assert.equal(all[1], "sess-2:line 0");
    assert.ok(pages >= 5);

    const marks: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client },
      { logGroupName: "/sdk/filter", filterPattern: '{ $.sessionData[0] = "MARK-*" }' },
    ))
      marks.push(...(page.events ?? []).map((e) => e.logStreamName!));
    assert.deepEqual(marks, ["sess-1", "sess-2"]);

    const term: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client },
      { logGroupName: "/sdk/filter", logStreamNamePrefix: "sess-2", filterPattern: "MARK" },
    ))
      term.push(...(page.events ?? []).map((e) => e.logStreamName!));
    assert.deepEqual(term, ["sess-2"]);

    await assert.rejects(
      client.send(new FilterLogEventsCommand({ logGroupName: "/sdk/filter", filterPattern: "{ $.a = " })),
      (e: unknown) => e instanceof InvalidParameterException && e.message === "Invalid filter pattern",
    );
    await assert.rejects(
      client.send(
        new FilterLogEventsCommand({
          logGroupName: "/sdk/filter",
          logStreamNames: ["sess-1"],
          logStreamNamePrefix: "s",
        }),
      ),
      (e: unknown) =>
        e instanceof InvalidParameterException &&
        e.message === "Cannot specify both logStreamNames and logStreamNamePrefix.",
    );
    await assert.rejects(
      client.send(new FilterLogEventsCommand({ logGroupName: "/sdk/none" })),
      (e: unknown) => e instanceof ResourceNotFoundException,
    );
  });
});
