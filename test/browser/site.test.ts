/**
 * The built report in a real browser (Debian's chromium through playwright-core), served on loopback under the
 * sub-path /gguf-bench/ from a real run of a synthetic model: every page loads cleanly, every chart draws marks
 * and axis titles, tooltips show, outputs show, markup from the results stays text.
 */
import { rmSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launchChromium } from "./chromium.ts";
import { serveStatic, type StaticSite } from "./staticServer.ts";
import { buildEmptySite, buildFixtureSite, hostile, type BuiltSite } from "./siteFixture.ts";
import Database from "better-sqlite3";
import { pageWeights } from "../../scripts/report-page-weight.ts";

const executable = findChromium();
if (executable == null) {
    const message = "browser tests: no chromium found (install Debian's: apt-get install -y chromium)";
    if (process.env.CI) throw new Error(message + "; CI installs it, so it must be there");
    console.warn(`${message}: skipped`);
}

interface PageReport {
    errors: string[];
    failed: string[];
}

/** Open `url`, scroll to the end so every `client:visible` chart draws, wait for the charts; collect what went wrong. */
async function visit(page: Page, url: string): Promise<PageReport> {
    const report: PageReport = { errors: [], failed: [] };
    const onConsole = (m: { type(): string; text(): string }) => { if (m.type() === "error" || m.type() === "warning") report.errors.push(`${m.type()}: ${m.text()}`); };
    const onPageError = (e: Error) => report.errors.push(`pageerror: ${e.message}`);
    const onFailed = (r: { url(): string }) => report.failed.push(`failed: ${r.url()}`);
    const onResponse = (r: { url(): string; status(): number }) => { if (r.status() >= 400) report.failed.push(`${r.status()}: ${r.url()}`); };
    page.on("console", onConsole);
    page.on("pageerror", onPageError);
    page.on("requestfailed", onFailed);
    page.on("response", onResponse);
    try {
        await page.goto(url, { waitUntil: "load" });
        const charts = page.locator("[data-chart]");
        const count = await charts.count();
        for (let i = 0; i < count; i++) {
            await charts.nth(i).scrollIntoViewIfNeeded();
            await charts.nth(i).locator("svg.marks").waitFor({ timeout: 15_000 });
        }
        await page.waitForLoadState("networkidle");
    } finally {
        page.off("console", onConsole);
        page.off("pageerror", onPageError);
        page.off("requestfailed", onFailed);
        page.off("response", onResponse);
    }
    return report;
}

describe.skipIf(executable == null)("the report site in chromium", () => {
    let site: BuiltSite;
    let server: StaticSite;
    let browser: BrowserContext;
    let page: Page;
    let pages: string[];
    let emptyDist: string;

    beforeAll(async () => {
        site = buildFixtureSite();
        emptyDist = buildEmptySite(site.dir);
        server = await serveStatic(site.dist, "/gguf-bench/");
        browser = await launchChromium(executable!);
        page = await browser.newPage();
        const db = new Database(site.db, { readonly: true });
        const configs = db.prepare<[], { run_id: string; id: string }>("SELECT run_id, id FROM configs").all();
        const runs = db.prepare<[], string>("SELECT id FROM runs").pluck().all();
        db.close();
        pages = ["", "ladder/", "tradeoff/", "scaling/", "runs/", "history/", "machines/",
            ...runs.map((id) => `runs/${encodeURIComponent(id)}/`),
            ...configs.map((c) => `runs/${encodeURIComponent(c.run_id)}/${c.id}/`)];
    }, 600_000);

    afterAll(async () => {
        await browser?.close();
        await server?.close();
        if (site != null) rmSync(site.dir, { recursive: true, force: true });
    });

    it("loads every page under /gguf-bench/ with no console error and no failed request, each chart with marks and axis titles", async () => {
        let charts = 0;
        for (const path of pages) {
            const report = await visit(page, server.url + path);
            expect(report, path).toEqual({ errors: [], failed: [] });
            const links = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
            expect(links.filter((href) => !href.startsWith("/gguf-bench/")), `${path}: links outside the sub-path`).toEqual([]);
            for (const chart of await page.locator("[data-chart]").all()) {
                const svg = chart.locator("svg.marks");
                // marks: vega draws each mark group as g.mark-<type> holding paths, lines or text
                expect(await svg.locator("g[class*='mark-'] path, g[class*='mark-'] line").count(), `${path}: marks`).toBeGreaterThan(0);
                const titles = await svg.locator("g.role-axis-title text").allTextContents();
                expect(titles.length, `${path}: axis titles`).toBeGreaterThanOrEqual(1);
                expect(titles.join(" | "), `${path}: a direction on an axis`).toMatch(/is better/);
                charts++;
            }
        }
        // trade-off, ladders, scaling, history, machines and the per-config charts all drew
        expect(charts).toBeGreaterThan(pages.length);
        for (const [path, least] of [["tradeoff/", 1], ["ladder/", 2], ["scaling/", 3], ["history/", 2], ["machines/", 1]] as const) {
            await visit(page, server.url + path);
            expect(await page.locator("[data-chart] svg.marks").count(), path).toBeGreaterThanOrEqual(least);
        }
    });

    it("is built from the run files alone: report imported every one into a database that did not exist", async () => {
        expect(site.reportOutput).toMatch(new RegExp(`imported ${site.runIds.length} run\\(s\\)`));
        const db = new Database(site.db, { readonly: true });
        const inDb = db.prepare<[], string>("SELECT id FROM runs ORDER BY id").pluck().all();
        db.close();
        expect(inDb).toEqual(site.runIds);
        await visit(page, server.url + "runs/");
        const listed = await page.locator("table.runs a").allTextContents();
        expect([...listed].sort()).toEqual(site.runIds);
    });

    it("keeps every page under 1 MB on a first load (gzipped), the chart code shared between pages", () => {
        const { pages: weights, shared } = pageWeights(site.dist, "/gguf-bench/");
        expect(weights.length).toBe(pages.length);
        for (const w of weights) expect(w.first, w.page).toBeLessThanOrEqual(1_000_000);
        // vega and react come once: a page with charts, after another was visited, loads little besides its HTML
        const chartPage = weights.find((w) => w.page.startsWith("tradeoff"))!;
        expect(shared).toBeGreaterThan(100_000);
        expect(chartPage.cached).toBeLessThan(chartPage.first - 100_000);
    });

    it("shows a trade-off point's figures in a tooltip on hover", async () => {
        await visit(page, server.url + "tradeoff/");
        const point = page.locator("[data-chart] svg.marks g.mark-symbol.role-mark path").first();
        await point.hover({ force: true });
        const tooltip = page.locator("#vg-tooltip-element");
        await tooltip.waitFor({ state: "visible", timeout: 5000 });
        const text = await tooltip.innerText();
        expect(text).toMatch(/config/);
        expect(text).toMatch(/synthetic tiny/);
        expect(text).toMatch(/decode tok\/s/);
    });

    it("shows each config's outputs, settings and its synthetic label", async () => {
        const db = new Database(site.db, { readonly: true });
        const { id, outputs } = db.prepare<[string], { id: string; outputs: string }>("SELECT id, outputs FROM configs WHERE run_id = ? ORDER BY position LIMIT 1").get(site.realRunId)!;
        db.close();
        await visit(page, `${server.url}runs/${encodeURIComponent(site.realRunId)}/${id}/`);
        const shown = await page.locator("pre.output").allTextContents();
        expect(shown).toEqual(Object.values(JSON.parse(outputs) as Record<string, string>));
        expect(await page.locator(".tag.synthetic").count()).toBeGreaterThan(0);
        expect(await page.locator("dl.params").innerText()).toMatch(/threads\s+[12]/);
        // the engine line names the libuv pool the child ran with: one thread unless the variable was set (runChild.ts)
        const engine = await page.locator("main").innerText();
        expect(engine).toMatch(process.env.UV_THREADPOOL_SIZE == null ? /libuv pool: 1 thread(?!s)/ : /libuv pool: \d+ threads?/);
    });

    it("keeps markup from the results inert: suite names, labels, outputs and errors show as text", async () => {
        const hostilePages = pages.filter((p) => p === "" || p === "runs/" || p.includes(encodeURIComponent(site.hostileRunId)));
        for (const path of hostilePages) {
            await visit(page, server.url + path);
            expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss), path).toBeUndefined();
            // no element the results made: no image, no event-handler attribute, no script holding their text
            expect(await page.locator("img, [onload], [onerror], [onmouseover]").count(), path).toBe(0);
            expect(await page.locator("script").evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes("__xss")).length), path).toBe(0);
        }
        await visit(page, `${server.url}runs/${encodeURIComponent(site.hostileRunId)}/`);
        const body = await page.locator("main").innerText();
        expect(body).toContain(hostile.suite);
        expect(body).toContain(hostile.error);
        expect(body).toContain(hostile.label);
        const config = page.locator("table.configs a").first();
        expect(await config.getAttribute("href")).toMatch(/^\/gguf-bench\/runs\/[^/]+\/[0-9a-f]+\/$/);
        await Promise.all([page.waitForURL(/\/gguf-bench\/runs\/[^/]+\/[0-9a-f]+\/$/), config.click()]);
        expect(await page.locator("pre.output").first().textContent()).toBe(hostile.outputs.join("\n"));
        expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
    });

    it("says how to run a suite when there are no results", async () => {
        const empty = await serveStatic(emptyDist, "/");
        try {
            for (const path of ["", "tradeoff/", "history/"]) {
                const report = await visit(page, empty.url + path);
                expect(report, path).toEqual({ errors: [], failed: [] });
                expect(await page.locator("main").innerText()).toMatch(/No results yet[\s\S]*npm run bench/);
            }
        } finally {
            await empty.close();
        }
    });
});
