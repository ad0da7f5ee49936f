/**
 * The HTML reports as a reader sees them: rendered by headless Chromium (Debian's, through playwright-core),
 * with the verdict, the requirement table and the charts present, and not one network request.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Locator, Page } from "playwright-core";
import { type Browser, chromiumMissing, openChromium } from "../../scripts/chromium";
import { buildReports } from "../../support/report/build";
import { messageStream, mixedRun } from "./report-fixtures";

const missing = chromiumMissing();
const dir = mkdtempSync(path.join(tmpdir(), "ssmc-report-browser-"));
let browser: Browser | undefined;

before(async () => {
  // Two runs of the same target: the trend has two points.
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  for (const [i, runId] of ["night-1", "night-2"].entries()) {
    const stream = path.join(dir, `${runId}.ndjson`);
    writeFileSync(stream, messageStream(mixedRun(runId, t0 + i * 86_400_000)));
    await buildReports({
      streams: [stream],
      reportDir: path.join(dir, "reports"),
      historyFile: path.join(dir, "history.jsonl"),
      appendHistory: true,
    });
  }
  if (!missing) browser = await openChromium();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = async (locator: Locator) => (await locator.textContent()) ?? "";

/** Opens a report and records every request the page makes. */
async function open(name: string): Promise<{ page: Page; requests: string[]; url: string }> {
  const page = await browser!.context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  const url = pathToFileURL(path.join(dir, "reports", name)).href;
  await page.goto(url, { waitUntil: "load" });
  return { page, requests, url };
}

describe("rendered in Chromium", () => {
  it("conformance.html: verdict, requirement table with colours, evidence, compliance view", async (t) => {
    if (missing) return t.skip(missing);
    const { page, requests, url } = await open("conformance.html");
    assert.match(await text(page.locator("#verdict")), /^FAIL — 3 of 8 requirements passed, 1 failed/);
    assert.equal(await page.locator("#requirements tr.requirement").count(), 8);
    const idle = page.locator("#requirements tr.requirement.fail");
    assert.match(await text(idle), /IDLE-01[\s\S]*3,100 ms vs 1000 \(\+1000\) ms/);
    const failColour = await page.evaluate(
      'getComputedStyle(document.querySelector("#requirements tr.requirement.fail .pill.fail")).color',
    );
    assert.equal(failColour, "rgb(207, 34, 46)");
    const details = page.locator("#requirements details").first();
    assert.equal(await details.locator("table").first().isVisible(), false);
    await details.locator("summary").click();
    assert.match(await text(details), /command-to-log[\s\S]*tester-0123456789abcdef0/);
    assert.equal(await page.locator("table.compliance").count(), 2);
    assert.equal(await page.locator("svg.verdict-bar rect").count(), 4);
    assert.deepEqual(requests, [url], "the page made network requests");
    await page.close();
  });

  it("latency.html: percentiles, CDF, per-command timeline and a two-run trend", async (t) => {
    if (missing) return t.skip(missing);
    const { page, requests, url } = await open("latency.html");
    assert.match(await text(page.locator("#percentiles")), /Command to observable[\s\S]*1,300 ms/);
    for (const chart of ["#chart-cdf", "#chart-timeline", "#chart-trend"]) {
      const svg = page.locator(`${chart} svg`);
      assert.equal(await svg.count(), 1, `${chart} has no SVG`);
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, `${chart} is not drawn: ${JSON.stringify(box)}`);
    }
    assert.equal(
      await page.locator("#chart-cdf .mark-symbol.role-mark path").count(),
      9,
      "3 metrics x 3 commands",
    );
    assert.equal(
      await page.locator("#chart-timeline .mark-rect.role-mark path").count(),
      9,
      "3 phases x 3 commands",
    );
    // The pass-rate chart's points: one per run.
    assert.equal(await page.locator("#chart-trend g.concat_1_layer_1_marks > path").count(), 2);
    assert.deepEqual(requests, [url], "the page made network requests");
    await page.close();
  });
});
