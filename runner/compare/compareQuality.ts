/**
 * Two quality passes of a matched config pair → one row per quality metric with a direction, as the item
 * `(quality)`. Quality is not measured in repetitions: it is one deterministic pass over a text, so its uncertainty
 * is the positions' (which tokens happened to be in the text). When both sides scored the same positions of the same
 * text, the rows pair them (stats/pairedPositions.ts): perplexities by the mean difference of NLL, means of
 * per-position quantities (KLD, top-1 hits, Δp²) by the ratio of paired means. Otherwise, or where a figure has no
 * paired interval (percentiles, a signed mean), the row shows both figures and is not judged, with the reason.
 */
import { metricCatalogue } from "../metrics/catalogue.ts";
import { pairedLogRatio, pairedMeanRatio, type PairedRatio } from "../stats/pairedPositions.ts";
import type { RunFileQuality } from "../store/runFile.ts";
import type { MetricRow, Unmatched } from "./compareRows.ts";
import { verdictOf } from "./verdict.ts";

export const qualityItem = "(quality)";

export interface QualityCompareOptions {
    /** Percent a change must exceed, with `level` confidence, to be flagged. */
    threshold: number;
    /** Confidence level of the intervals. */
    level: number;
    /** Only these metrics; null: every quality metric with a direction. */
    wanted: ReadonlySet<string> | null;
}

/** Figures that compare the model with its reference: only comparable between passes against the same one. */
const againstReference = new Set(["pplRatio", "lnPplRatio", "kldMean", "kldMedian", "kldP90", "kldP99", "kldP999", "kldMax", "sameTop1", "deltaPMean", "deltaPRms"]);
const percentiles = new Set(["kldMedian", "kldP90", "kldP99", "kldP999", "kldMax"]);

/** The quality metrics a comparison may show, in catalogue order. */
export const qualityMetrics = [...metricCatalogue.values()].filter((d) => d.group === "quality" && d.better !== "none").map((d) => d.name);

/**
 * The `(quality)` rows of one matched pair, and what only one side has (a reference). `at` names the pair as the
 * other rows do.
 */
export function compareQuality(
    at: Pick<MetricRow, "machine" | "config" | "label">, b: RunFileQuality, c: RunFileQuality, opts: QualityCompareOptions
): { rows: MetricRow[]; oneSided: Pick<Unmatched, "side" | "why">[] } {
    const textNote = differentText(b, c);
    const referenceNote = textNote == null ? differentReference(b, c) : null;
    const oneSided: Pick<Unmatched, "side" | "why">[] = [];
    if ((b.reference == null) !== (c.reference == null)) {
        const side = b.reference != null ? "baseline" : "candidate";
        oneSided.push({ side, why: `quality pass against a reference in the ${side} only: its KLD, same top-1 and Δp rows are not compared` });
    }
    const rows: MetricRow[] = [];
    const n = (q: RunFileQuality) => q.positions.nll.length;
    for (const metric of qualityMetrics) {
        if (opts.wanted != null && !opts.wanted.has(metric)) continue;
        const before = b.figures[metric];
        const after = c.figures[metric];
        if (before == null || after == null) continue;
        const def = metricCatalogue.get(metric)!;
        const better = def.better as "higher" | "lower";
        const row = {
            ...at, item: qualityItem, metric, better,
            baseline: { n: n(b), value: before.value }, candidate: { n: n(c), value: after.value }
        };
        const unjudged = (note: string): MetricRow => {
            const ratio = before.value > 0 && Number.isFinite(after.value) ? after.value / before.value : Number.NaN;
            return { ...row, ratio, low: null, high: null, p: null, verdict: "not judged", noise: "none", note };
        };
        if (textNote != null) rows.push(unjudged(textNote));
        else if (againstReference.has(metric) && referenceNote != null) rows.push(unjudged(referenceNote));
        else if (percentiles.has(metric)) rows.push(unjudged("a percentile or maximum of positions: no paired interval, shown only"));
        else if (metric === "lnPplRatio") rows.push(unjudged("a log ratio (0 for the reference itself): judged as PPL ratio"));
        else if (metric === "deltaPMean") rows.push(unjudged("a signed mean: a ratio of it means nothing (see Δp RMS)"));
        else {
            const test = pairedTest(metric, b, c, opts.level);
            if (test == null) rows.push(unjudged("the baseline's mean is 0: no ratio"));
            else rows.push({ ...row, ratio: test.ratio, low: test.low, high: test.high, p: test.p, verdict: verdictOf(test.low, test.high, better, opts.threshold), noise: "paired positions" });
        }
    }
    return { rows, oneSided };
}

/** The paired test of one metric, the same positions on both sides; null where it has no ratio. */
function pairedTest(metric: string, b: RunFileQuality, c: RunFileQuality, level: number): PairedRatio | null {
    const column = (q: RunFileQuality, of: (p: RunFileQuality["positions"], i: number) => number) => q.positions.nll.map((_, i) => of(q.positions, i));
    const both = (of: (p: RunFileQuality["positions"], i: number) => number) => [column(b, of), column(c, of)] as const;
    const hit = (x: boolean) => (x ? 1 : 0);
    switch (metric) {
        case "perplexity": return pairedLogRatio(b.positions.nll, c.positions.nll, level);
        case "perplexityRef": return b.positions.nllRef && c.positions.nllRef ? pairedLogRatio(b.positions.nllRef, c.positions.nllRef, level) : null;
        case "pplRatio": return pairedLogRatio(...both((p, i) => p.nll[i]! - p.nllRef![i]!), level);
        case "top1Accuracy": return pairedMeanRatio(...both((p, i) => hit(p.top1[i] === p.token[i])), level);
        case "sameTop1": return pairedMeanRatio(...both((p, i) => hit(p.top1[i] === p.top1Ref![i])), level);
        case "kldMean": return pairedMeanRatio(b.positions.kld!, c.positions.kld!, level);
        case "deltaPRms": {
            // RMS = √mean(Δp²): the ratio of mean squares, square-rooted (ends included: √ is monotone)
            const squares = pairedMeanRatio(...both((p, i) => (Math.exp(-p.nll[i]!) - Math.exp(-p.nllRef![i]!)) ** 2), level);
            return squares == null ? null : { ...squares, ratio: Math.sqrt(squares.ratio), low: Math.sqrt(squares.low), high: Math.sqrt(squares.high) };
        }
        default: return null;
    }
}

/** Why two passes did not score the same positions of the same text; null when they did. */
function differentText(b: RunFileQuality, c: RunFileQuality): string | null {
    const why = b.corpus.sha256 !== c.corpus.sha256 ? "another corpus"
        : b.context !== c.context ? `context ${b.context} → ${c.context}`
            : b.chunks !== c.chunks ? `${b.chunks} → ${c.chunks} chunks`
                : !sameValues(b.positions.token, c.positions.token) ? "the text tokenizes differently"
                    : null;
    return why == null ? null : `different text scored (${why}): perplexities of different texts are not comparable`;
}

/** Why two passes' reference figures cannot be compared; null when both were against the same reference, the same way. */
function differentReference(b: RunFileQuality, c: RunFileQuality): string | null {
    if (b.reference == null || c.reference == null) return "no reference on one side";
    if (b.reference.sha256 !== c.reference.sha256) return `different references (${b.reference.file} → ${c.reference.file}): divergences from different models are not comparable`;
    if (b.reference.topK !== c.reference.topK) {
        const k = (topK: number | null) => (topK == null ? "exact" : `top-${topK}`);
        return `KLD computed differently (${k(b.reference.topK)} → ${k(c.reference.topK)})`;
    }
    return null;
}

function sameValues(x: readonly number[], y: readonly number[]): boolean {
    return x.length === y.length && x.every((v, i) => v === y[i]);
}
