/**
 * The quality figures of one config, computed from its raw per-position samples with llama-perplexity's own
 * formulas (tools/perplexity/perplexity.cpp in llama.cpp), so that each figure can be set beside its output:
 * - perplexity = exp(mean NLL) ± exp(mean NLL) · sqrt(var(NLL) / (n − 1));
 * - means ± sqrt(var / (n − 1)); shares (top-1) ± the binomial sqrt(p (1 − p) / (n − 1));
 * - ln(PPL(Q)/PPL(ref)) ± sqrt(σ² + σ_ref² − 2 cov), cov = (E[ab] − E[a]E[b]) / (n − 1);
 * - RMS Δp ± 0.5 / rms · (uncertainty of the mean of Δp²);
 * - KLD percentiles interpolate linearly between ranks, median is the middle (or mean of the middle two).
 * Probabilities and Δp are in percent, as llama-perplexity prints them. Nothing here is stored: figures are
 * recomputed from the samples, like every other summary.
 */
import type { Summary } from "../results.ts";
import { percentile } from "./percentile.ts";

/** Raw samples of one scored corpus, one entry per scored position (see `QualityPositions` in results.ts). */
export interface QualitySampleArrays {
    /** Target token of each position. */
    token: readonly number[];
    /** −ln q(target): the model's negative log-likelihood of the target. */
    nll: readonly number[];
    /** The model's most likely token. */
    top1: readonly number[];
    /** −ln p(target) under the reference, when there is one. */
    nllRef?: readonly number[];
    /** The reference's most likely token. */
    top1Ref?: readonly number[];
    /** KL(reference ‖ model) of the next-token distributions, in nats. */
    kld?: readonly number[];
    /** Top-K KLD only: the reference's probability outside its K tokens. */
    tailRef?: readonly number[];
}

/** One figure and, where llama-perplexity gives one, its uncertainty (one standard error). */
export interface QualityFigure {
    value: number;
    unc?: number;
}

/** Metric name (see the `quality` group of runner/metrics/catalogue.ts) → figure. */
export type QualityFigures = Record<string, QualityFigure>;

/** Mean and standard error of the mean, as llama-perplexity's `mean_and_uncertainty`. */
function meanAndUnc(values: readonly number[]): { mean: number; unc: number; meanSquare: number } {
    const n = values.length;
    let sum = 0;
    let sum2 = 0;
    for (const v of values) {
        sum += v;
        sum2 += v * v;
    }
    const mean = sum / n;
    const variance = sum2 / n - mean * mean;
    return { mean, unc: variance > 0 && n > 1 ? Math.sqrt(variance / (n - 1)) : 0, meanSquare: sum2 / n };
}

function share(hits: number, n: number): QualityFigure {
    const p = hits / n;
    return { value: 100 * p, unc: n > 1 ? 100 * Math.sqrt((p * (1 - p)) / (n - 1)) : 0 };
}

function sameLength(name: string, values: readonly number[] | undefined, n: number): readonly number[] {
    if (values == null || values.length !== n) throw new RangeError(`Expected ${n} values of \`${name}\`, got ${values?.length ?? "none"}`);
    return values;
}

/**
 * Every quality figure the samples allow: `perplexity`, `top1Accuracy`; with a reference also `perplexityRef`,
 * `pplRatio`, `lnPplRatio`, `sameTop1`, `deltaPMean`, `deltaPRms`; with KLD samples `kldMean`, `kldMedian`,
 * `kldP90`, `kldP99`, `kldP999`, `kldMax`, and for top-K KLD `kldTailMass`. Throws a `RangeError` on no samples or arrays of unequal length.
 */
export function qualityFigures(samples: QualitySampleArrays): QualityFigures {
    const n = samples.nll.length;
    if (n === 0) throw new RangeError("Expected at least one scored position, got none");
    const token = sameLength("token", samples.token, n);
    const top1 = sameLength("top1", samples.top1, n);
    for (const [i, v] of samples.nll.entries())
        if (!Number.isFinite(v)) throw new RangeError(`Expected nll[${i}] to be a finite number, got \`${v}\``);

    const figures: QualityFigures = {};
    const nll = meanAndUnc(samples.nll);
    const ppl = Math.exp(nll.mean);
    figures.perplexity = { value: ppl, unc: ppl * nll.unc };
    figures.top1Accuracy = share(top1.filter((t, i) => t === token[i]).length, n);

    if (samples.nllRef != null) {
        const nllRef = sameLength("nllRef", samples.nllRef, n);
        const top1Ref = sameLength("top1Ref", samples.top1Ref, n);
        const ref = meanAndUnc(nllRef);
        const pplRef = Math.exp(ref.mean);
        figures.perplexityRef = { value: pplRef, unc: pplRef * ref.unc };
        let sumAB = 0;
        for (let i = 0; i < n; i++) sumAB += samples.nll[i]! * nllRef[i]!;
        const cov = n >= 10 ? (sumAB / n - nll.mean * ref.mean) / (n - 1) : 0;
        const lnRatio = nll.mean - ref.mean;
        const lnRatioUnc = Math.sqrt(Math.max(0, nll.unc ** 2 + ref.unc ** 2 - 2 * cov));
        figures.lnPplRatio = { value: lnRatio, unc: lnRatioUnc };
        figures.pplRatio = { value: Math.exp(lnRatio), unc: Math.exp(lnRatio) * lnRatioUnc };
        figures.sameTop1 = share(top1.filter((t, i) => t === top1Ref[i]).length, n);

        const deltaP = samples.nll.map((v, i) => Math.exp(-v) - Math.exp(-nllRef[i]!));
        const dp = meanAndUnc(deltaP);
        figures.deltaPMean = { value: 100 * dp.mean, unc: 100 * dp.unc };
        const mse = meanAndUnc(deltaP.map((v) => v * v));
        const rms = Math.sqrt(mse.mean);
        figures.deltaPRms = { value: 100 * rms, unc: rms > 0 ? 100 * (0.5 / rms) * mse.unc : 0 };
    }

    if (samples.kld != null) {
        const kld = sameLength("kld", samples.kld, n);
        const stats = meanAndUnc(kld);
        const sorted = [...kld].sort((a, b) => a - b);
        figures.kldMean = { value: stats.mean, unc: stats.unc };
        figures.kldMedian = { value: percentile(sorted, 50) };
        figures.kldP90 = { value: percentile(sorted, 90) };
        figures.kldP99 = { value: percentile(sorted, 99) };
        figures.kldP999 = { value: percentile(sorted, 99.9) };
        figures.kldMax = { value: sorted[n - 1]! };
        if (samples.tailRef != null) figures.kldTailMass = { value: 100 * meanAndUnc(sameLength("tailRef", samples.tailRef, n)).mean };
    }
    return figures;
}

/**
 * The figures in the shape of per-prompt summaries (the report reads them as the pseudo-prompt `quality`): one value
 * per figure, so mean, median, min and max are that value, `sd` carries its standard error (0 where there is none),
 * and `n` the positions it was computed from.
 */
export function qualitySummaries(samples: QualitySampleArrays): Record<string, Summary> {
    const n = samples.nll.length;
    return Object.fromEntries(Object.entries(qualityFigures(samples)).map(([name, { value, unc }]) =>
        [name, { n, mean: value, sd: unc ?? 0, median: value, min: value, max: value }]));
}
