/**
 * `npm run report:screenshot [-- <report-dir>]`: full-page PNGs of conformance.html and latency.html,
 * written next to them, to look at the reports as a reader would.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumMissing, openChromium } from "./chromium";

async function main(reportDir: string): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const browser = await openChromium();
  try {
    const page = await browser.context.newPage();
    for (const name of ["conformance", "latency"]) {
      await page.goto(pathToFileURL(path.join(reportDir, `${name}.html`)).href);
      const file = path.join(reportDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`${file}\n`);
    }
  } finally {
    await browser.close();
  }
}

main(path.resolve(process.argv[2] ?? "reports")).catch((error: Error) => {
  process.stderr.write(`report:screenshot: ${error.message}\n`);
  process.exit(1);
});
