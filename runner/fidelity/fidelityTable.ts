/**
 * Pairs → the ratio table: runner / llama-bench, median of the per-pair ratios with its confidence interval, for each
 * engine the runner ran on (`binary`: prebuilt or local), at each thread count and at each side's best.
 */
import type { MachineLoad } from "../results.ts";
import { busyReason } from "../stats/machineBusy.ts";
import { computeStatistics } from "../stats/computeStatistics.ts";
import type { MedianInterval } from "../stats/medianInterval.ts";
import { pairedRatio, targetVerdict, type RatioSummary, type TargetVerdict } from "../stats/pairedRatio.ts";
import { renderTable } from "../format/table.ts";
import type { Engine } from "../suite/types.ts";

export interface FidelityPair {
    model: string;
    /** The engine setting the runner side ran with (its llama-bench side is the same binary for every engine). */
    binary: Engine;
    test: string;
    threads: number | "auto";
    llamaBench: number;
    app: number;
    engine: number | null;
    /** What the machine was doing during the pair (exec/machineLoad.ts, as bench records it per config); absent in older files. */
    load?: MachineLoad;
}

export interface FidelityOptions {
    /** The goal for runner / llama-bench, in percent (e.g. `97`). */
    target: number;
    /** Confidence level of the intervals. Defaults to `0.95`. */
    level?: number;
}

/** One (model, test, threads) group: what the table and `--json` show. */
export interface FidelitySummary {
    model: string;
    binary: Engine;
    test: string;
    threads: number | "auto";
    pairs: number;
    /** Median t/s of each side. */
    llamaBench: number;
    runner: number;
    engine: number | null;
    runnerRatio: RatioSummary;
    /** Over the pairs that have an engine figure; `null` when none has. */
    engineRatio: RatioSummary | null;
    /** runnerRatio against the target. */
    verdict: TargetVerdict;
}

const median = (values: number[]) => computeStatistics(values).median;

export function fidelitySummaries(pairs: FidelityPair[], options: FidelityOptions): FidelitySummary[] {
    const level = options.level ?? 0.95;
    const groups = new Map<string, FidelityPair[]>();
    for (const pair of pairs) {
        const key = JSON.stringify([pair.model, pair.binary, pair.test, pair.threads]);
        groups.set(key, [...(groups.get(key) ?? []), pair]);
    }
    return [...groups.values()].map((group) => {
        const first = group[0]!;
        const engines = group.filter((p) => p.engine != null);
        const runnerRatio = pairedRatio(group.map((p) => p.app / p.llamaBench), level);
        return {
            model: first.model, binary: first.binary, test: first.test, threads: first.threads, pairs: group.length,
            llamaBench: median(group.map((p) => p.llamaBench)),
            runner: median(group.map((p) => p.app)),
            engine: engines.length > 0 ? median(engines.map((p) => p.engine!)) : null,
            runnerRatio,
            engineRatio: engines.length > 0 ? pairedRatio(engines.map((p) => p.engine! / p.llamaBench), level) : null,
            verdict: targetVerdict(runnerRatio, options.target, level)
        };
    });
}

export function fidelityRows(pairs: FidelityPair[], options: FidelityOptions): string[][] {
    const rows: string[][] = [["model", "binary", "test", "threads", "pairs", "llama-bench t/s", "runner t/s", "runner/llama-bench", `runner ≥ ${options.target} %`, "engine t/s", "engine/llama-bench"]];
    for (const s of fidelitySummaries(pairs, options)) {
        rows.push([
            s.model, s.binary, s.test, String(s.threads), String(s.pairs),
            s.llamaBench.toFixed(1),
            s.runner.toFixed(1),
            ratioCell(s.runnerRatio),
            s.verdict,
            s.engine != null ? s.engine.toFixed(1) : "",
            s.engineRatio != null ? ratioCell(s.engineRatio) : ""
        ]);
    }
    return rows;
}

/** What the bracket and the verdict mean, with the coverage each pair count shown actually reaches. */
export function fidelityLegend(pairs: FidelityPair[], options: FidelityOptions): string {
    const level = options.level ?? 0.95;
    const byCount = new Map<number, MedianInterval>();
    for (const s of fidelitySummaries(pairs, options))
        for (const ratio of [s.runnerRatio, s.engineRatio]) if (ratio != null) byCount.set(ratio.pairs, ratio.interval);
    const counts = [...byCount.entries()].sort(([a], [b]) => b - a).map(([n, interval]) => {
        const coverage = `${n} ${n === 1 ? "pair" : "pairs"} ${(interval.coverage * 100).toFixed(1)} %`;
        if (n === 1) return `${coverage} (one pair has no spread)`;
        const ranks = interval.lowRank === 1 ? "min–max" : `ranks ${interval.lowRank}–${interval.highRank}`;
        return interval.coverage < level ? `${coverage} (${ranks}; below ${percentOf(level)}, more pairs needed)` : `${coverage} (${ranks})`;
    });
    const target = `${options.target} %`;
    const loads = pairs.flatMap((p) => (p.load?.loadAverage == null ? [] : [p.load.loadAverage]));
    const busy = pairs.filter((p) => busyReason(p.load) != null).length;
    return [
        `[low–high]: distribution-free ${percentOf(level)} confidence interval of the median per-pair ratio (order statistics),`,
        `  or the coverage reached with that many pairs: ${counts.join(", ")}.`,
        `runner ≥ ${target}: met = interval's low end ≥ ${target}, not met = its high end < ${target}, unclear = it straddles ${target}, or too few pairs to reach ${percentOf(level)}.`,
        ...(loads.length === 0 ? [] : [`load average (1 min) after the pairs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}, the pairs' own processes included; ` +
            `${busy} of ${pairs.length} pair${pairs.length === 1 ? "" : "s"} on a busy machine, as bench judges a config (per pair in --json).`])
    ].join("\n");
}

/**
 * Each side at its own best thread count (highest median over pairs), for the "≥ 97 % at best threads" goal. The two
 * best counts may differ, so no pair holds both; the k-th runner sample at its best count is set against the k-th
 * llama-bench sample at its best (the two ran within the same round of the interleaved loop), and those ratios get
 * the same median and interval as a thread count's own pairs.
 */
export function bestThreadSummaries(pairs: FidelityPair[], options: Pick<FidelityOptions, "level"> = {}): BestThreadSummary[] {
    const level = options.level ?? 0.95;
    const keys = new Set(pairs.map((p) => JSON.stringify([p.model, p.binary, p.test])));
    return [...keys].map((key) => {
        const [model, binary, test] = JSON.parse(key) as [string, Engine, string];
        const mine = pairs.filter((p) => p.model === model && p.binary === binary && p.test === test);
        const best = (pick: (p: FidelityPair) => number) => {
            let top: { threads: number | "auto"; value: number; samples: number[] } = { threads: 0, value: -Infinity, samples: [] };
            for (const threads of new Set(mine.map((p) => p.threads))) {
                const samples = mine.filter((p) => p.threads === threads).map(pick);
                const value = median(samples);
                if (value > top.value) top = { threads, value, samples };
            }
            return top;
        };
        const theirs = best((p) => p.llamaBench);
        const ours = best((p) => p.app);
        const n = Math.min(theirs.samples.length, ours.samples.length);
        const ratios = Array.from({ length: n }, (_, k) => ours.samples[k]! / theirs.samples[k]!);
        return { model, binary, test, llamaBench: { threads: theirs.threads, median: theirs.value }, runner: { threads: ours.threads, median: ours.value }, ratio: pairedRatio(ratios, level) };
    });
}

/** One (model, binary, test) at each side's best thread count. */
export interface BestThreadSummary {
    model: string;
    binary: Engine;
    test: string;
    llamaBench: { threads: number | "auto"; median: number };
    runner: { threads: number | "auto"; median: number };
    /** Round-by-round ratios runner-at-its-best / llama-bench-at-its-best. */
    ratio: RatioSummary;
}

export function bestThreadRows(pairs: FidelityPair[], options: Pick<FidelityOptions, "level"> = {}): string[][] {
    const rows: string[][] = [["model", "binary", "test", "llama-bench best", "runner best", "runner/llama-bench (round by round)"]];
    for (const s of bestThreadSummaries(pairs, options))
        rows.push([s.model, s.binary, s.test, `${s.llamaBench.median.toFixed(1)} (t=${s.llamaBench.threads})`, `${s.runner.median.toFixed(1)} (t=${s.runner.threads})`, ratioCell(s.ratio)]);
    return rows;
}

function percent(ratio: number): string {
    return `${(ratio * 100).toFixed(1)} %`;
}

/** `89.8 % [66.7–127.0]`: one decimal in the bracket too, as the goals (97–98 %) sit a point apart. */
function ratioCell(ratio: RatioSummary): string {
    return `${percent(ratio.median)} [${(ratio.interval.low * 100).toFixed(1)}–${(ratio.interval.high * 100).toFixed(1)}]`;
}

function percentOf(level: number): string {
    return `${Number((level * 100).toFixed(2))} %`;
}

export function formatFidelity(pairs: FidelityPair[], options: FidelityOptions): string {
    return `${renderTable(fidelityRows(pairs, options))}\n${fidelityLegend(pairs, options)}\n\nat each side's best thread count:\n${renderTable(bestThreadRows(pairs))}`;
}
