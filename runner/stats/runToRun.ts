/**
 * Between-run noise from history: how much one figure (a config's metric on one machine) moved from run to run in
 * earlier runs, and the interval of a ratio of two runs' figures that this spread allows.
 *
 * Why: the repetitions of one run do not see how a machine drifts between runs (other processes, a VM's
 * neighbours), so an interval from them alone calls that drift a change. The spread of earlier runs' means does see
 * it (the way Bencher's thresholds read a metric's history). With s² the sample variance of the earlier runs' log
 * means, a difference of the means of r_b runs and r_c runs has variance s² (1/r_b + 1/r_c); the interval uses
 * Student's t on the k − 1 degrees of freedom of the k earlier runs. The interval a comparison shows is the wider of
 * this one and the repetitions' own (Welch's t): history widens an interval, never narrows one.
 */
import { tQuantile, tTwoSidedP } from "./studentT.ts";

/** Fewer earlier runs than this and history is not used: a variance from 4 values is itself too unsure. */
export const minHistoryRuns = 5;

export interface RunToRunInterval {
    ratio: number;
    low: number;
    high: number;
    p: number;
    df: number;
    /** Earlier runs the spread came from (pooled: the most runs any one pooled figure has). */
    runs: number;
    /** Pooled only: how many figures (configs × prompts/tests) the spread was pooled over. */
    figures?: number;
}

/**
 * The interval of exp(logDiff) given earlier runs' per-run log means (`history`), `runsA` and `runsB` runs a side.
 * Null with fewer than `minHistoryRuns` finite values.
 */
export function runToRunInterval(logDiff: number, history: readonly number[], runsA: number, runsB: number, level = 0.95): RunToRunInterval | null {
    const values = history.filter(Number.isFinite);
    const k = values.length;
    if (k < minHistoryRuns) return null;
    const mean = values.reduce((s, x) => s + x, 0) / k;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1);
    const se = Math.sqrt(variance * (1 / runsA + 1 / runsB));
    const ratio = Math.exp(logDiff);
    const df = k - 1;
    if (se === 0) return { ratio, low: ratio, high: ratio, p: logDiff === 0 ? 1 : 0, df, runs: k };
    const t = tQuantile(1 - (1 - level) / 2, df);
    return { ratio, low: Math.exp(logDiff - t * se), high: Math.exp(logDiff + t * se), p: tTwoSidedP(logDiff / se, df), df, runs: k };
}

/** Fewer pooled degrees of freedom than this and the machine's pooled spread is not used (t on 2 df is 4.30). */
export const minPooledDf = 2;

/**
 * The interval of exp(logDiff) from the machine's between-run spread pooled over many figures: `series` holds, for
 * each other config and prompt/test of the same metric on the same machine, its earlier runs' log means. Each series
 * contributes its squared deviations from its own mean (never one config's runs against another's) and k − 1 degrees
 * of freedom, so the pooled variance is Σ Σ (x − x̄ᵢ)² / Σ (kᵢ − 1), the one-way ANOVA's within-group variance.
 *
 * Why: a VM's drift between runs (its speed level, its neighbours) is mostly a factor on every config alike, so the
 * spread of all configs' run-to-run moves estimates it after two or three runs of a suite, where one config's own
 * history needs five; and it holds the rare run of one config that ran far slower than its neighbours, which five
 * runs of one config often miss. Null below `minPooledDf` degrees of freedom (Student's t then widens the interval
 * for how few there are; compare uses it only where it is wider than the other intervals).
 */
export function pooledRunToRunInterval(logDiff: number, series: readonly (readonly number[])[], runsA: number, runsB: number, level = 0.95): RunToRunInterval | null {
    let squares = 0;
    let df = 0;
    let runs = 0;
    let figures = 0;
    for (const raw of series) {
        const values = raw.filter(Number.isFinite);
        if (values.length < 2) continue;
        const mean = values.reduce((s, x) => s + x, 0) / values.length;
        squares += values.reduce((s, x) => s + (x - mean) ** 2, 0);
        df += values.length - 1;
        figures++;
        runs = Math.max(runs, values.length);
    }
    if (df < minPooledDf) return null;
    const se = Math.sqrt((squares / df) * (1 / runsA + 1 / runsB));
    const ratio = Math.exp(logDiff);
    if (se === 0) return { ratio, low: ratio, high: ratio, p: logDiff === 0 ? 1 : 0, df, runs, figures };
    const t = tQuantile(1 - (1 - level) / 2, df);
    return { ratio, low: Math.exp(logDiff - t * se), high: Math.exp(logDiff + t * se), p: tTwoSidedP(logDiff / se, df), df, runs, figures };
}

/** The mean of ln(values): a run's figure on the log scale (ln of the geometric mean). Null when a value is not > 0. */
export function logMean(values: readonly number[]): number | null {
    if (values.length === 0 || !values.every((x) => Number.isFinite(x) && x > 0)) return null;
    return values.reduce((s, x) => s + Math.log(x), 0) / values.length;
}
