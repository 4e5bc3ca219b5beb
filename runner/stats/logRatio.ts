/**
 * How much a candidate's samples differ from a baseline's, as a ratio with a confidence interval and a p-value:
 * Welch's t-test on the logarithms of the samples (unequal variances, Welch–Satterthwaite degrees of freedom).
 *
 * Why this test: speeds and times are positive and their noise scales with their size, so a change is a factor and
 * the log makes it additive; the estimate is the ratio of geometric means, exp(mean ln b − mean ln a). Welch's test
 * works from 2 repetitions per side. A rank test (Mann–Whitney) would assume less about the noise, but with 3
 * repetitions per side (the default) its smallest possible two-sided p is 2 / C(6, 3) = 0.10, so it could never call
 * a change significant at 5 %; the t-test can, when the repetitions agree closely. The price is its assumption that
 * the logs are roughly normal: a bimodal machine (a VM flipping between two speeds) widens the interval instead.
 */
import { mean, sampleVariance } from "./moments.ts";
import { tQuantile, tTwoSidedP } from "./studentT.ts";

export interface LogRatio {
    /** exp(mean ln candidate − mean ln baseline): the ratio of geometric means. */
    ratio: number;
    /** The interval's ends, as ratios. Equal to `ratio` when neither side varies. */
    low: number;
    high: number;
    /** Two-sided p-value of "no change"; 1 when nothing differs, 0 when the sides differ and neither varies. */
    p: number;
    /** Welch–Satterthwaite degrees of freedom; Infinity when neither side varies. */
    df: number;
    /** The standard error of mean ln candidate − mean ln baseline (0 when neither side varies). */
    logSe: number;
}

/**
 * Welch's t on ln(samples). Needs at least 2 samples per side, all finite and > 0; returns `null` otherwise (a ratio
 * of one sample per side has no interval: see `singleRatio`). `level` is the interval's confidence. Defaults to `0.95`.
 */
export function logRatio(baseline: readonly number[], candidate: readonly number[], level = 0.95): LogRatio | null {
    if (baseline.length < 2 || candidate.length < 2) return null;
    if (![...baseline, ...candidate].every((x) => Number.isFinite(x) && x > 0)) return null;
    const a = baseline.map(Math.log);
    const b = candidate.map(Math.log);
    const meanA = mean(a);
    const meanB = mean(b);
    const diff = meanB - meanA;
    const varA = sampleVariance(a, meanA) / a.length;
    const varB = sampleVariance(b, meanB) / b.length;
    const se2 = varA + varB;
    const ratio = Math.exp(diff);
    if (se2 === 0) return { ratio, low: ratio, high: ratio, p: diff === 0 ? 1 : 0, df: Infinity, logSe: 0 };
    const se = Math.sqrt(se2);
    const df = (se2 * se2) / ((varA * varA) / (a.length - 1) + (varB * varB) / (b.length - 1));
    const t = tQuantile(1 - (1 - level) / 2, df);
    return { ratio, low: Math.exp(diff - t * se), high: Math.exp(diff + t * se), p: tTwoSidedP(diff / se, df), df, logSe: se };
}

