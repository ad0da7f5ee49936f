import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { systemClock, VIRTUAL_EPOCH_MS, VirtualClock } from "../../protocol";

describe("VirtualClock", () => {
  test("starts at a non-zero epoch and moves only when advanced", () => {
    const clock = new VirtualClock();
    assert.equal(clock.now(), VIRTUAL_EPOCH_MS);
    clock.advance(250);
    assert.equal(clock.now(), VIRTUAL_EPOCH_MS + 250);
    assert.equal(new VirtualClock(5).now(), 5);
  });

  test("advance runs due timers in time order, ties in scheduling order, with now() at their due time", () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 31);
    clock.advance(30);
    assert.deepEqual(seen, ["a@10", "b@10", "c@30"]);
    assert.equal(clock.pending, 1);
  });

  test("timers scheduled by timers run in the same advance when they fall due", () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
      clock.setTimeout(() => seen.push(clock.now()), 50);
    }, 10);
    clock.advance(20);
    assert.deepEqual(seen, [10, 15]);
    clock.advance(40);
    assert.deepEqual(seen, [10, 15, 60]);
  });

  test("intervals repeat at a fixed period and can clear themselves", () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const handle = clock.setInterval(() => {
      seen.push(clock.now());
      if (seen.length === 3) clock.clearInterval(handle);
    }, 100);
    clock.advance(1000);
    assert.deepEqual(seen, [100, 200, 300]);
    assert.equal(clock.pending, 0);
  });

  test("cleared timeouts never run; delays below 1 ms count as 1 ms", () => {
    const clock = new VirtualClock(0);
    let ran = 0;
    const handle = clock.setTimeout(() => ran++, 10);
    clock.clearTimeout(handle);
    clock.setTimeout(() => ran++, 0);
    clock.advance(0);
    assert.equal(ran, 0);
    clock.advance(1);
    assert.equal(ran, 1);
  });

  test("runAll jumps through finite timer chains and is bounded for endless ones", () => {
    const clock = new VirtualClock(0);
    let depth = 0;
    const chain = () => {
      if (++depth < 5) clock.setTimeout(chain, 1000);
    };
    clock.setTimeout(chain, 1000);
    clock.runAll();
    assert.equal(depth, 5);
    assert.equal(clock.now(), 5000);

    clock.setInterval(() => {}, 10);
    assert.throws(() => clock.runAll(50), /still busy after 50 timers/);
  });

  test("refuses nested or negative advances", () => {
    const clock = new VirtualClock(0);
    clock.setTimeout(() => clock.advance(1), 1);
    assert.throws(() => clock.advance(5), /inside a timer/);
    assert.throws(() => clock.advance(-1), RangeError);
  });
});

describe("systemClock", () => {
  test("uses wall-clock time and real timers", async () => {
    const before = Date.now();
    assert.ok(systemClock.now() >= before);
    const fired = await new Promise<boolean>((resolve) => {
      const never = systemClock.setTimeout(() => resolve(false), 5);
      systemClock.clearTimeout(never);
      let ticks = 0;
      const interval = systemClock.setInterval(() => {
        if (++ticks === 2) {
          systemClock.clearInterval(interval);
          resolve(true);
        }
      }, 1);
    });
    assert.equal(fired, true);
  });
});
