import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import type {
  FilteredLogEvent,
  FilterLogEventsCommand,
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { LogGroupWatcher } from "../../support/logs/logGroupWatcher";
import { LogWatchStopped } from "../../support/logs/logWatcher";

const GROUP = "/ssm/sessions";

/** A fake FilterLogEvents over one whole group: events by timestamp, `pageSize` per page. */
class FakeGroup {
  readonly inputs: FilterLogEventsCommandInput[] = [];
  events: FilteredLogEvent[] = [];
  pageSize = 2;
  fail?: Error;
  beforeCall?: (call: number) => void;

  add(
    logStreamName: string,
    id: string,
    timestamp: number,
    message: string,
    ingestionTime = timestamp + 1,
  ): void {
    this.events.push({ logStreamName, eventId: id, timestamp, ingestionTime, message });
  }

  async send(command: FilterLogEventsCommand): Promise<FilterLogEventsCommandOutput> {
    const input = command.input;
    this.inputs.push(input);
    this.beforeCall?.(this.inputs.length);
    if (this.fail) throw this.fail;
    const selected = this.events
      .filter((e) => input.startTime === undefined || e.timestamp! >= input.startTime)
      .sort((a, b) => a.timestamp! - b.timestamp!);
    const from = Number(input.nextToken ?? 0);
    const to = from + this.pageSize;
    return {
      events: selected.slice(from, to),
      nextToken: to < selected.length ? String(to) : undefined,
      $metadata: {},
    };
  }
}

function groupWatcher(logs: FakeGroup, rescanMs?: number) {
  return new LogGroupWatcher(logs, {
    logGroupName: GROUP,
    rescanMs,
    now: () => 7_000,
    sleep: () => tick(),
  });
}

describe("LogGroupWatcher", () => {
  it("polls the whole group once for every stream and hands each watcher its own stream's events", async () => {
    const logs = new FakeGroup();
    logs.add("s-a", "1", 1_000, "A-1");
    logs.add("s-b", "2", 1_001, "B-1");
    logs.add("s-other", "3", 1_002, "O-1");
    logs.add("s-a", "4", 1_003, "A-2");
    const group = groupWatcher(logs);
    const a = group.watch("s-a");
    const b = group.watch("s-b");
    assert.equal(group.watch("s-a"), a, "one watcher per stream");
    group.start();
    const match = await a.waitForMarker("A-2", 1_000).finally(() => group.stop());
    await b.waitForMarker("B-1", 1_000);
    assert.deepEqual([match.t1, match.t2, match.t3], [1_003, 1_004, 7_000]);
    assert.deepEqual(
      a.events.map((e) => e.message),
      ["A-1", "A-2"],
    );
    assert.deepEqual(
      b.events.map((e) => e.message),
      ["B-1"],
    );
    for (const input of logs.inputs) {
      assert.equal(input.logGroupName, GROUP);
      assert.equal(input.logStreamNames, undefined);
      assert.equal(input.filterPattern, undefined);
    }
    assert.equal(group.requests, logs.inputs.length);
  });

  it("re-reads rescanMs before the group's latest timestamp, so a stream's late event is still seen once", async () => {
    const logs = new FakeGroup();
    logs.add("s-b", "1", 10_000, "B-1");
    logs.beforeCall = (call) => {
      // Another stream's put lands after the group's newest, stamped 3 s earlier.
      if (call === 3) logs.add("s-a", "2", 7_000, "A-late");
    };
    const group = groupWatcher(logs, 5_000);
    const a = group.watch("s-a");
    group.start();
    await a.waitForMarker("A-late", 1_000).finally(() => group.stop());
    assert.equal(logs.inputs[0]!.startTime, undefined);
    assert.equal(logs.inputs.at(-1)!.startTime, 5_000);
    assert.deepEqual(
      a.events.map((e) => e.message),
      ["A-late"],
    );
  });

  it("widens the re-read window to twice the largest lateness seen", async () => {
    const logs = new FakeGroup();
    logs.add("s-b", "1", 10_000, "B-1", 14_000); // put 4 s after its timestamp
    logs.beforeCall = (call) => {
      if (call === 3) logs.add("s-a", "2", 3_000, "A-later", 10_500);
    };
    const group = groupWatcher(logs, 1_000);
    const a = group.watch("s-a");
    group.start();
    await a.waitForMarker("A-later", 1_000).finally(() => group.stop());
    assert.equal(logs.inputs[2]!.startTime, 10_000 - 2 * 4_000);
  });

  it("rejects every pending wait when a poll fails, and on stop()", async () => {
    const logs = new FakeGroup();
    const failing = groupWatcher(logs);
    const wait = failing.watch("s-a").waitForMarker("never", 1_000);
    logs.fail = Object.assign(new Error("The specified log group does not exist."), {
      name: "ResourceNotFoundException",
    });
    failing.start();
    await assert.rejects(
      wait,
      (e: unknown) => e instanceof LogWatchStopped && /failed: The specified log group/.test(e.message),
    );

    const stopped = groupWatcher(new FakeGroup()).start();
    const pending = stopped.watch("s-a").waitForMarker("never", 1_000);
    await stopped.stop();
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof LogWatchStopped && /was stopped/.test(e.message),
    );
  });
});
