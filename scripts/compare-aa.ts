/**
 * False alarms and detections of `compare`, one run a side, on a folder of run files (issue 17's measurement).
 *
 *   node --import tsx scripts/compare-aa.ts aa DIR                 each run against the next (A/A), history from DIR
 *   node --import tsx scripts/compare-aa.ts ab BASE_DIR CAND_DIR   run i of BASE_DIR against run i of CAND_DIR
 *                                                                  (history: both folders' runs older than the candidate)
 * Prints, per comparison and in total, the rows with a direction and how many were flagged each way, split by
 * noise model; `--no-history` judges by the repetitions alone.
 */
import { compareSides, type Comparison } from "../runner/compare/compareSides.ts";
import { runFilePaths } from "../runner/store/importRuns.ts";
import { readRunFile } from "../runner/store/readRunFile.ts";
import type { RunFile } from "../runner/store/runFile.ts";

const [mode, first, second] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const useHistory = !process.argv.includes("--no-history");
const read = async (dir: string): Promise<RunFile[]> =>
    (await Promise.all(runFilePaths([dir]).map(async (f) => (await readRunFile(f)).file))).sort((a, b) => (a.run.startedAt < b.run.startedAt ? -1 : 1));
const side = (run: RunFile) => ({ spec: run.run.id, description: run.run.id, runs: [run] });

const total = { comparisons: 0, rows: 0, regression: 0, improvement: 0, inconclusive: 0, unchanged: 0, notJudged: 0 };
const byNoise = new Map<string, { rows: number; flagged: number }>();
function count(c: Comparison, label: string): void {
    total.comparisons++;
    for (const r of c.rows) {
        total.rows++;
        if (r.verdict === "not judged") total.notJudged++;
        else total[r.verdict]++;
        const n = byNoise.get(r.noise) ?? { rows: 0, flagged: 0 };
        n.rows++;
        if (r.verdict === "regression" || r.verdict === "improvement") n.flagged++;
        byNoise.set(r.noise, n);
    }
    const flags = c.rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement").map((r) => `${r.label} ${r.item} ${r.metric} ${r.verdict} ${((r.ratio - 1) * 100).toFixed(1)}% (${r.noise})`);
    console.log(`${label}: ${c.rows.length} rows, ${c.counts.regression} regressions, ${c.counts.improvement} improvements, ${c.counts.inconclusive} inconclusive, ${c.counts.unchanged} unchanged, ${c.counts["not judged"]} not judged${flags.length > 0 ? `\n    ${flags.join("\n    ")}` : ""}`);
}

if (mode === "aa") {
    const runs = await read(first!);
    for (let i = 1; i < runs.length; i++) count(compareSides(side(runs[i - 1]!), side(runs[i]!), { history: runs, useHistory }), `${runs[i - 1]!.run.id} → ${runs[i]!.run.id}`);
} else if (mode === "ab") {
    const [base, cand] = [await read(first!), await read(second!)];
    for (let i = 0; i < Math.min(base.length, cand.length); i++)
        count(compareSides(side(base[i]!), side(cand[i]!), { history: [...base, ...cand], useHistory }), `${base[i]!.run.id} → ${cand[i]!.run.id}`);
} else {
    console.error("usage: compare-aa.ts aa DIR | ab BASE_DIR CAND_DIR [--no-history]");
    process.exit(2);
}
const judged = total.rows - total.notJudged;
const flagged = total.regression + total.improvement;
console.log(`\n${total.comparisons} comparisons, ${total.rows} rows (${judged} with an interval): ${flagged} flagged (${(100 * flagged / total.rows).toFixed(1)} % of all rows, ${(100 * flagged / Math.max(judged, 1)).toFixed(1)} % of rows with an interval): ${total.regression} regressions, ${total.improvement} improvements; ${total.inconclusive} inconclusive, ${total.unchanged} unchanged, ${total.notJudged} not judged`);
for (const [noise, n] of byNoise) console.log(`  noise ${noise}: ${n.rows} rows, ${n.flagged} flagged`);
