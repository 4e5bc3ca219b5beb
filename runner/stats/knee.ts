/**
 * The knee of a parallel (serving-load) test, from its levels' medians: where adding sequences stops paying in
 * aggregate decode throughput, and where per-sequence latency leaves its budget. Pure; the levels come from the
 * summaries, which come from the raw token times (stats/metrics.ts, `parallelLevelMetrics`).
 *
 * - Throughput knee: walking up the levels in order, the last level reached while every step raised the aggregate
 *   decode tokens/s (the median over repetitions) by at least `rise` (0.1: 10 %) over the level before. When the very
 *   first step rises less, the knee is the lowest level; when every step rises enough, it is the highest level
 *   measured and `stillRising` says the real knee lies beyond it. Fewer than two levels: no knee.
 * - Latency budget: the first level whose inter-token latency p90 (the median over repetitions of the p90 of every
 *   sequence's gaps) exceeds `itlP90Ms`; null when none does or the test sets no budget.
 */
import type { Summaries } from "../results.ts";
import { parallelLevelId } from "../suite/parallelIds.ts";
import type { ParallelTest } from "../suite/types.ts";

/** One measured level: medians over its repetitions. */
export interface LevelPoint {
    sequences: number;
    /** Aggregate decode tokens/s: sequences × gen / the timed decode (llama-batched-bench's S_TG). */
    decodeTps: number;
    /** Aggregate prefill tokens/s (S_PP); null when not measured. */
    prefillTps: number | null;
    /** Inter-token latency p90 over every sequence's gaps; null when a sequence generated one token only. */
    itlP90Ms: number | null;
    /** Median over sequences of the time to their first token. */
    ttftMs: number | null;
}

export interface Knee {
    /** The highest level whose aggregate decode throughput still rose by at least `rise`; null with fewer than two levels. */
    knee: number | null;
    /** Every step rose by at least `rise`: the knee lies beyond the highest level measured. */
    stillRising: boolean;
    /** The first level whose ITL p90 exceeds the budget; null when none does, or there is no budget. */
    overBudget: number | null;
}

export interface ParallelOutcome extends Knee {
    test: string;
    rise: number;
    itlP90Ms: number | null;
    /** The levels measured, ascending (a level skipped for memory, or not reached, is absent). */
    levels: LevelPoint[];
}

export function findKnee(levels: readonly LevelPoint[], rise: number, budgetMs: number | null): Knee {
    const sorted = [...levels].sort((a, b) => a.sequences - b.sequences);
    const overBudget = budgetMs == null ? null
        : sorted.find((level) => level.itlP90Ms != null && level.itlP90Ms > budgetMs)?.sequences ?? null;
    if (sorted.length < 2) return { knee: null, stillRising: false, overBudget };
    let knee = sorted[0]!.sequences;
    for (let i = 1; i < sorted.length; i++) {
        // a rise of exactly the fraction counts (1e-9: 100 × 1.1 is 110.00000000000001 in floating point)
        if (sorted[i]!.decodeTps < sorted[i - 1]!.decodeTps * (1 + rise) * (1 - 1e-9)) return { knee, stillRising: false, overBudget };
        knee = sorted[i]!.sequences;
    }
    return { knee, stillRising: true, overBudget };
}

/** A parallel test's measured levels (medians, from a config's summaries) and its knee. */
export function parallelOutcome(test: ParallelTest, summary: Summaries): ParallelOutcome {
    const levels: LevelPoint[] = [];
    for (const sequences of test.sequences) {
        const level = Object.hasOwn(summary, parallelLevelId(test, sequences)) ? summary[parallelLevelId(test, sequences)]! : undefined;
        const median = (metric: string) => (level != null && Object.hasOwn(level, metric) ? level[metric]!.median : null);
        const decodeTps = median("decodeTps");
        if (decodeTps == null) continue;
        levels.push({ sequences, decodeTps, prefillTps: median("prefillTps"), itlP90Ms: median("itlP90Ms"), ttftMs: median("ttftMs") });
    }
    return { test: test.id, rise: test.rise, itlP90Ms: test.itlP90Ms, levels, ...findKnee(levels, test.rise, test.itlP90Ms) };
}

/** `knee at 4 sequences (+10 % or more per step up to it)`, `… still rising at 8`, and the budget's verdict. */
export function kneeText(outcome: ParallelOutcome): string {
    const pct = `${+(outcome.rise * 100).toFixed(1)} %`;
    const knee = outcome.knee == null ? "no knee (fewer than two levels measured)"
        : outcome.stillRising ? `still rising at ${outcome.knee} sequences (every step +${pct} or more in aggregate decode tok/s)`
        : `knee at ${outcome.knee} sequence${outcome.knee === 1 ? "" : "s"} (the last level whose aggregate decode tok/s rose ${pct} or more)`;
    const budget = outcome.itlP90Ms == null ? ""
        : outcome.overBudget == null ? `; ITL p90 within ${outcome.itlP90Ms} ms at every level measured`
        : `; ITL p90 exceeds ${outcome.itlP90Ms} ms from ${outcome.overBudget} sequences`;
    return `${outcome.test}: ${knee}${budget}`;
}
