/**
 * A PNG of one element of a built report page, for the README: serves DIST on loopback (as the browser tests do),
 * opens PAGE in Debian's chromium (headless, no network beyond loopback), waits for the charts to draw, and
 * writes the first element matching SELECTOR.
 *
 *   npx tsx scripts/report-screenshot.ts DIST PAGE SELECTOR OUT.png [--index N] [--width PX]
 *
 * e.g. `npx tsx scripts/report-screenshot.ts report/dist tradeoff/ "figure.chart" docs/report-tradeoff-1400.png`.
 * PAGE is relative to the site's root (built with the default base `/`).
 */
import { parseArgs } from "node:util";
import { findChromium, launchChromium } from "../test/browser/chromium.ts";
import { serveStatic } from "../test/browser/staticServer.ts";

const { positionals, values } = parseArgs({ allowPositionals: true, options: { index: { type: "string" }, width: { type: "string" } } });
const [dist, page, selector, out] = positionals;
if (dist == null || page == null || selector == null || out == null) {
    console.error("usage: npx tsx scripts/report-screenshot.ts DIST PAGE SELECTOR OUT.png [--index N] [--width PX]");
    process.exit(2);
}
const executable = findChromium();
if (executable == null) {
    console.error("no chromium: install Debian's (`apt-get install chromium`) or set GGUF_BENCH_CHROMIUM");
    process.exit(2);
}
const server = await serveStatic(dist, "/");
const browser = await launchChromium(executable, { width: Number(values.width ?? 1280), height: 900 });
try {
    const tab = await browser.newPage();
    await tab.goto(server.url + page, { waitUntil: "networkidle" });
    const target = tab.locator(selector).nth(Number(values.index ?? 0));
    // charts draw when they scroll into view: bring each one inside the target into view and wait for its SVG
    const charts = target.locator(".vega-chart");
    for (let i = 0; i < await charts.count(); i++) {
        await charts.nth(i).scrollIntoViewIfNeeded();
        await charts.nth(i).locator("svg").first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    }
    await target.scrollIntoViewIfNeeded();
    await tab.waitForTimeout(500);
    await target.screenshot({ path: out });
    console.log(`wrote ${out}`);
} finally {
    await browser.close();
    await server.close();
}
