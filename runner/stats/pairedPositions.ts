/**
 * Two quality passes that scored the same positions of the same text, compared position by position: a ratio
 * candidate / baseline with its confidence interval and the p-value of "no change", from the paired differences.
 *
 * Why paired: both models predicted the same token at the same place, so most of the spread of a per-position
 * quantity (a hard token is hard for both) cancels in the difference; an unpaired test on two sets of thousands of
 * positions would see that spread as noise and judge nothing. Why t and not a rank test: n is the number of scored
 * positions (hundreds to hundreds of thousands), where the mean's t interval is accurate for any reasonable tail.
 * What it assumes, as llama-perplexity's own ± does: positions are independent. Neighbouring positions of a chunk
 * are not quite, so the intervals are somewhat too narrow; a chunk-level (cluster) interval would be more honest
 * with many chunks and useless with the few a quick pass scores.
 */
import { mean, sampleVariance } from "./moments.ts";
import { tQuantile, tTwoSidedP } from "./studentT.ts";

export interface PairedRatio {
    /** Candidate / baseline. */
    ratio: number;
    /** The interval's ends, as ratios; equal to `ratio` when the differences do not vary. */
    low: number;
    high: number;
    /** Two-sided p of "no change" (the paired t on c_i − b_i); 1 when nothing differs, 0 when the differences are all one non-zero value. */
    p: number;
    /** Degrees of freedom: positions − 1. */
    df: number;
}

/**
 * exp(mean(c_i − b_i)) of per-position log quantities (negative log-likelihoods: the ratio of perplexities), with the
 * t interval of the mean paired difference, exponentiated. Needs 2 or more pairs of finite values; `null` otherwise.
 * Throws a `RangeError` on columns of different lengths.
 */
export function pairedLogRatio(baseline: readonly number[], candidate: readonly number[], level = 0.95): PairedRatio | null {
    const d = differences(baseline, candidate);
    if (d == null) return null;
    const { mean, se, df } = meanAndSe(d);
    const t = tQuantile(1 - (1 - level) / 2, df);
    return { ratio: Math.exp(mean), low: Math.exp(mean - t * se), high: Math.exp(mean + t * se), p: pairedP(mean, se, df), df };
}

/**
 * mean(c) / mean(b) of per-position non-negative quantities (KLD, 0/1 hits, Δp²), with the delta-method interval of
 * a ratio of paired means: with R = mean(c) / mean(b) and z_i = c_i − R·b_i, se(R) = sd(z) / (√n · mean(b)). The
 * low end is clamped at 0 (a ratio of non-negative means is not below it). The p-value is the paired t on c_i − b_i
 * (R = 1 exactly when the means are equal). `null` with fewer than 2 pairs, a non-finite value, or a baseline mean of
 * 0, which makes no ratio. Throws a `RangeError` on columns of different lengths.
 */
export function pairedMeanRatio(baseline: readonly number[], candidate: readonly number[], level = 0.95): PairedRatio | null {
    const d = differences(baseline, candidate);
    if (d == null) return null;
    const n = d.length;
    const meanB = baseline.reduce((s, x) => s + x, 0) / n;
    const meanC = candidate.reduce((s, x) => s + x, 0) / n;
    if (!(meanB > 0)) return null;
    const ratio = meanC / meanB;
    const z = candidate.map((c, i) => c - ratio * baseline[i]!);
    const seRatio = meanAndSe(z).se / meanB;
    const { mean, se, df } = meanAndSe(d);
    const t = tQuantile(1 - (1 - level) / 2, df);
    return { ratio, low: Math.max(0, ratio - t * seRatio), high: ratio + t * seRatio, p: pairedP(mean, se, df), df };
}

function differences(baseline: readonly number[], candidate: readonly number[]): number[] | null {
    if (baseline.length !== candidate.length)
        throw new RangeError(`Expected paired columns of one length, got ${baseline.length} and ${candidate.length}`);
    if (baseline.length < 2 || ![...baseline, ...candidate].every(Number.isFinite)) return null;
    return candidate.map((c, i) => c - baseline[i]!);
}

/** Mean, standard error of the mean (sample variance, n − 1) and df = n − 1. */
function meanAndSe(values: readonly number[]): { mean: number; se: number; df: number } {
    const n = values.length;
    const m = mean(values);
    return { mean: m, se: Math.sqrt(sampleVariance(values, m) / n), df: n - 1 };
}

function pairedP(mean: number, se: number, df: number): number {
    if (se === 0) return mean === 0 ? 1 : 0;
    return tTwoSidedP(mean / se, df);
}
