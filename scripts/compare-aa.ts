/**
 * False alarms and detections of `compare`, one run a side, on a folder of run files (issue 17's measurement).
 *
 *   node --import tsx scripts/compare-aa.ts aa DIR                 each run against the next (A/A), history from DIR
 *   node --import tsx scripts/compare-aa.ts ab BASE_DIR CAND_DIR   run i of BASE_DIR against run i of CAND_DIR
 *                                                                  (history: both folders' runs older than the candidate)
 * Prints, per comparison and in total, the rows with a direction and how many were flagged each way, split by
 * noise model; `--no-history` judges by the repetitions alone; `--also DIR` adds another folder's runs to the history
 * (the runs a results folder would also hold: other suites measured on the machine in between).
 *
 * With `ab`, the rows a change touches are those whose pooled change (every run of BASE_DIR against every run of
 * CAND_DIR, repetitions pooled) is worse by at least `--touched PCT` (10): each pair's verdicts on those rows give the
 * detection rate; the flags of rows whose pooled change lies within ±5 % are false alarms.
 */
import { compareSides, type Comparison } from "../runner/compare/compareSides.ts";
import { runFilePaths } from "../runner/store/importRuns.ts";
import { readRunFile } from "../runner/store/readRunFile.ts";
import type { RunFile } from "../runner/store/runFile.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [mode, first, second] = args.filter((a, i) => !a.startsWith("--") && !["--also", "--touched"].includes(args[i - 1] ?? ""));
const useHistory = !args.includes("--no-history");
const touchedPct = Number(option("--touched") ?? "10");
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

const also = option("--also") == null ? [] : await read(option("--also")!);
if (mode === "aa") {
    const runs = await read(first!);
    for (let i = 1; i < runs.length; i++) count(compareSides(side(runs[i - 1]!), side(runs[i]!), { history: [...runs, ...also], useHistory }), `${runs[i - 1]!.run.id} → ${runs[i]!.run.id}`);
} else if (mode === "ab") {
    const [base, cand] = [await read(first!), await read(second!)];
    const key = (r: Comparison["rows"][number]) => `${r.config}\n${r.item}\n${r.metric}`;
    // the change's true effect per row, as well as these runs can tell it: all runs a side, pooled
    const pooled = compareSides({ spec: "base", description: "base", runs: base }, { spec: "cand", description: "cand", runs: cand }, { pool: true, useHistory: false });
    const worse = (r: Comparison["rows"][number]) => (r.better === "higher" ? 1 / r.ratio : r.ratio) - 1;
    const touched = new Map(pooled.rows.filter((r) => Number.isFinite(r.ratio) && worse(r) * 100 >= touchedPct).map((r) => [key(r), r]));
    // rows the change leaves alone: pooled change within ±5 % (their flags are false alarms); the rest are neither
    const still = new Set(pooled.rows.filter((r) => Number.isFinite(r.ratio) && Math.abs(Math.log(r.ratio)) < Math.log(1.05)).map(key));
    const detection = { rows: 0, regression: 0, improvement: 0, inconclusive: 0, unchanged: 0, notJudged: 0 };
    const untouched = { rows: 0, flagged: 0 };
    for (let i = 0; i < Math.min(base.length, cand.length); i++) {
        const c = compareSides(side(base[i]!), side(cand[i]!), { history: [...base, ...cand, ...also], useHistory });
        count(c, `${base[i]!.run.id} → ${cand[i]!.run.id}`);
        for (const r of c.rows) {
            if (touched.has(key(r))) {
                detection.rows++;
                if (r.verdict === "not judged") detection.notJudged++;
                else detection[r.verdict]++;
            } else if (still.has(key(r))) {
                untouched.rows++;
                if (r.verdict === "regression" || r.verdict === "improvement") untouched.flagged++;
            }
        }
    }
    console.log(`\nrows the change touches (pooled change worse by ≥ ${touchedPct} %): ${touched.size}`);
    for (const r of touched.values()) console.log(`  ${r.label} ${r.item} ${r.metric}: ${(100 * (r.ratio - 1)).toFixed(1)} %`);
    console.log(`detected: ${detection.regression} of ${detection.rows} touched rows over the pairs (${(100 * detection.regression / Math.max(detection.rows, 1)).toFixed(1)} %); ` +
        `${detection.inconclusive} inconclusive, ${detection.unchanged} unchanged, ${detection.improvement} improvement (wrong way), ${detection.notJudged} not judged`);
    console.log(`rows the change left within ±5 %: ${untouched.rows}, flagged ${untouched.flagged} (${(100 * untouched.flagged / Math.max(untouched.rows, 1)).toFixed(1)} %: false alarms)`);
} else {
    console.error("usage: compare-aa.ts aa DIR | ab BASE_DIR CAND_DIR [--no-history] [--also DIR] [--touched PCT]");
    process.exit(2);
}
const judged = total.rows - total.notJudged;
const flagged = total.regression + total.improvement;
console.log(`\n${total.comparisons} comparisons, ${total.rows} rows (${judged} with an interval): ${flagged} flagged (${(100 * flagged / total.rows).toFixed(1)} % of all rows, ${(100 * flagged / Math.max(judged, 1)).toFixed(1)} % of rows with an interval): ${total.regression} regressions, ${total.improvement} improvements; ${total.inconclusive} inconclusive, ${total.unchanged} unchanged, ${total.notJudged} not judged`);
for (const [noise, n] of byNoise) console.log(`  noise ${noise}: ${n.rows} rows, ${n.flagged} flagged`);
