/**
 * compare on real A/A runs: nothing changed between them, so whatever it flags is a false alarm.
 *
 * fixtures/aa-runs.json holds 8 runs of suites/default.yaml made back to back on the project's 2-vCPU VM by
 * `scripts/compare-noise.sh aa` (commit 86c3ff5, under `flock -x /work/.measure.lock`, 2026-11-29 21:13–21:15 UTC),
 * trimmed to what compare reads: every measurement's metrics and the per-config figures exactly as recorded; RSS
 * timelines, token times, outputs, warnings and summaries (derived) left out to keep the fixture small; the summaries
 * are recomputed here before reading, as a written run file always holds them (readRunFile refuses an empty one).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareSides, type Comparison } from "../../runner/compare/compareSides.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import type { RunFile } from "../../runner/store/runFile.ts";

const runs = (JSON.parse(readFileSync(new URL("./fixtures/aa-runs.json", import.meta.url), "utf8")) as RunFile[])
    .map((run) => ({ ...run, configs: run.configs.map((c) => ({ ...c, summary: summarizeMeasurements(c.measurements) })) }))
    .map((run, i) => parseRunFile(JSON.stringify(run), `aa-runs.json[${i}]`).file);
const side = (spec: string, from: number, to: number) => ({ spec, description: spec, runs: runs.slice(from, to) });
const flagged = (c: Comparison) => c.rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement");
const judged = (c: Comparison) => c.rows.filter((r) => r.verdict !== "not judged");

describe("compare on real A/A runs (default suite, this VM)", () => {
    it("holds 8 runs of the same 3 configs", () => {
        expect(runs).toHaveLength(8);
        expect(new Set(runs.map((r) => r.configs.map((c) => c.id).join())).size).toBe(1);
    });

    it("pooled 4 runs against 4: at most 5 % of the judged rows flagged at the default threshold, none at 10 %", () => {
        const c = compareSides(side("first 4", 0, 4), side("last 4", 4, 8), { pool: true });
        expect(judged(c).length).toBeGreaterThan(90);
        expect(flagged(c).length / judged(c).length).toBeLessThanOrEqual(0.05);
        expect(flagged(compareSides(side("first 4", 0, 4), side("last 4", 4, 8), { pool: true, threshold: 10 }))).toEqual([]);
    });

    it("one run a side, each against the next, with the history of the earlier runs: every row names its noise model; at most 5 % flagged once 5 earlier runs exist", () => {
        const pairs = runs.slice(1).map((_, i) => compareSides(side("a", i, i + 1), side("b", i + 1, i + 2), { history: runs }));
        for (const c of pairs) {
            for (const row of c.rows) expect(["repetitions", "history", "machine history", "paired positions", "none"]).toContain(row.noise);
            expect(c.counts.regression + c.counts.improvement + c.counts.unchanged + c.counts.inconclusive + c.counts["not judged"]).toBe(c.rows.length);
        }
        // pairs 6 and 7 have 5 and 6 earlier runs: history judges where it is wider than the repetitions
        const withHistory = pairs.slice(5);
        expect(withHistory.every((c) => c.rows.some((r) => r.noise === "history"))).toBe(true);
        const rows = withHistory.flatMap((c) => c.rows);
        expect(rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement").length / rows.length).toBeLessThanOrEqual(0.05);
        // figures measured once per config get an interval from history
        const rss = withHistory[1]!.rows.find((r) => r.metric === "peakRssBytes")!;
        expect(["history", "machine history"]).toContain(rss.noise);
        expect(rss.low).toEqual(expect.any(Number));
    });

    it("pairs with 2–4 earlier runs are judged by the machine's drift pooled over configs, where it is wider: at most 5 % flagged", () => {
        const pairs = runs.slice(1).map((_, i) => compareSides(side("a", i, i + 1), side("b", i + 1, i + 2), { history: runs }));
        // pairs 3–5 have 2, 3 and 4 earlier runs of the 3 configs
        const machine = pairs.slice(2, 5);
        expect(machine.every((c) => c.rows.some((r) => r.noise === "machine history") && !c.rows.some((r) => r.noise === "history"))).toBe(true);
        const rows = machine.flatMap((c) => c.rows);
        expect(rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement").length / rows.length).toBeLessThanOrEqual(0.05);
        // the same pairs by repetitions alone flag more
        const alone = runs.slice(3, 6).map((_, j) => compareSides(side("a", j + 2, j + 3), side("b", j + 3, j + 4), { useHistory: false })).flatMap((c) => c.rows);
        expect(alone.filter((r) => r.verdict === "regression" || r.verdict === "improvement").length)
            .toBeGreaterThan(rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement").length);
    });
});
