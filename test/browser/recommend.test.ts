/**
 * The recommendation and the trade-off's uncertainty in a real browser, on a site built from constructed run files
 * (a quant ladder with quality passes against its F16, two quants tied on speed): the overview opens with the
 * answer, the trade-off draws error bars and marks the F16 as the reference instead of plotting it on the log
 * axis, and neither page scrolls sideways on a phone.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../runner/results.ts";
import { writeRunFile } from "../../runner/store/writeRunFile.ts";
import { config, GiB, machine, referenceSha256 } from "../standalone/fixtures/recommendRuns.ts";
import { findChromium, launchChromium } from "./chromium.ts";
import { projectRoot } from "./siteFixture.ts";
import { serveStatic, type StaticSite } from "./staticServer.ts";

const executable = findChromium();
const kld = (mean: number) => Array.from({ length: 200 }, (_, i) => mean * (i % 2 === 0 ? 0.9 : 1.1));

describe.skipIf(executable == null)("the recommendation and trade-off uncertainty in chromium", () => {
    let dir: string;
    let server: StaticSite;
    let browser: BrowserContext;
    let page: Page;

    beforeAll(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), "gguf-bench-recommend-site-"));
        const run: RunRecord = {
            id: "20260101-000000-ladder-aaaaaa", suite: { name: "ladder", path: "suites/ladder.yaml", sha256: "00".repeat(32) },
            startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:01:00.000Z", status: "completed",
            git: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: false }, machine, shard: null
        };
        await writeRunFile(path.join(dir, "runs"), run, [
            config({ quant: "F16", decode: [40, 41, 39, 40, 40.5, 39.5], peak: 6 * GiB, kld: kld(0), sha256: referenceSha256 }),
            config({ quant: "Q8_0", decode: [98, 100, 103, 97, 101, 99], peak: 3.5 * GiB, kld: kld(0.0014) }),
            config({ quant: "Q4_K_M", decode: [99, 102, 100, 104, 98, 101], peak: 2.5 * GiB, kld: kld(0.031) }),
            config({ quant: "Q2_K", decode: [150, 151, 149, 150, 152, 148], peak: 1.5 * GiB, kld: kld(0.33) })
        ], { baseDir: dir });
        execFileSync(process.execPath, [
            "--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, path.join(projectRoot, "runner/cli/cli.ts"),
            "report", "--db", path.join(dir, "bench.db"), "--results", path.join(dir, "runs"), "--out", path.join(dir, "dist")
        ], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
        server = await serveStatic(path.join(dir, "dist"), "/");
        browser = await launchChromium(executable!, { width: 1400, height: 900 });
        page = await browser.newPage();
    }, 700_000);

    afterAll(async () => {
        await browser?.close();
        await server?.close();
        if (dir != null) rmSync(dir, { recursive: true, force: true });
    });

    it("opens the overview with which quant to run: the tie named as one, each other quant's reason", async () => {
        await page.goto(server.url, { waitUntil: "load" });
        const first = page.locator("main > :not(h1)").first();
        expect(await first.getAttribute("data-testid")).toBe("recommendation");
        expect(await page.locator("[data-testid=recommendation-pick]").allTextContents()).toEqual(["Q8_0 ≈ Q4_K_M"]);
        const reasons = await page.locator("[data-testid=recommendation-answer] li").allInnerTexts();
        expect(reasons.find((r) => r.includes("Q2_K"))).toMatch(/KLD 0\.3300 ± \S+ is above the 0\.05 nats bound/);
        expect(reasons.find((r) => r.includes("F16"))).toMatch(/60 % slower beyond the intervals; its KLD is better/);
    });

    it("draws error bars and marks the reference as the reference on the KLD chart", async () => {
        await page.goto(server.url + "tradeoff/", { waitUntil: "load" });
        const charts = page.locator("[data-chart]");
        const kldChart = charts.filter({ hasText: "against KLD" }).first();
        await kldChart.scrollIntoViewIfNeeded();
        await kldChart.locator("svg.marks").waitFor({ timeout: 30_000 });
        // bars: vega draws rule marks as lines in g.mark-rule; two per plotted point (speed, quality) plus the reference line
        expect(await kldChart.locator("svg.marks g.mark-rule line").count()).toBeGreaterThanOrEqual(2 * 3 + 1);
        const texts = await kldChart.locator("svg.marks g.mark-text text").allTextContents();
        expect(texts).toContain("F16 (reference)");
        // the reference is not among the plotted points: three symbols for Q8_0, Q4_K_M, Q2_K
        expect(await kldChart.locator("svg.marks g.mark-symbol.role-mark path").count()).toBeGreaterThanOrEqual(3);
        const ticks = await kldChart.locator("svg.marks g.role-axis-label text").allTextContents();
        expect(ticks.filter((t) => /^0\.0000\d/.test(t)), "no long decimals beside exponents").toEqual([]);
    });

    it("keeps the overview and the trade-off inside a phone's width (no sideways scroll of the page)", async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        try {
            for (const url of [server.url, server.url + "tradeoff/"]) {
                await page.goto(url, { waitUntil: "load" });
                const overflow = await page.evaluate(() => {
                    const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
                    return view.document.documentElement.scrollWidth - view.innerWidth;
                });
                expect(overflow, url).toBeLessThanOrEqual(0);
            }
        } finally {
            await page.setViewportSize({ width: 1400, height: 900 });
        }
    });
});
