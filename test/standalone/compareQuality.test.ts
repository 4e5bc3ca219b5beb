/** compare on quality passes: paired by scored position, judged only where the two passes are comparable. */
import { describe, expect, it } from "vitest";
import { compareSides, type Comparison, type MetricRow } from "../../runner/compare/compareSides.ts";
import { compareSerializers, noteLines } from "../../runner/compare/compareSerializers.ts";
import type { Side } from "../../runner/compare/resolveSide.ts";
import type { ConfigRecord, QualityRecord } from "../../runner/results.ts";
import { pairedLogRatio, pairedMeanRatio } from "../../runner/stats/pairedPositions.ts";
import { toRunFile, type RunFile } from "../../runner/store/runFile.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";

describe("paired ratios of per-position samples", () => {
    it("perplexity: exp of the mean NLL difference, with the t interval of the paired mean (scipy's ttest_rel)", () => {
        // d = 0.1, 0.3, 0, 0.2: mean 0.15, sd √(0.05 / 3), se = sd / 2; t(0.975, 3) = 3.182446
        const r = pairedLogRatio([1, 2, 3, 4], [1.1, 2.3, 3.0, 4.2])!;
        expect(r.ratio).toBeCloseTo(Math.exp(0.15), 12);
        expect(r.low).toBeCloseTo(0.946082, 5);
        expect(r.high).toBeCloseTo(1.426788, 5);
        expect(r.p).toBeCloseTo(0.1027281, 6); // scipy.stats.ttest_rel(c, b).pvalue
        expect(r.df).toBe(3);
    });

    it("means: the ratio of paired means with the delta-method interval (z_i = c_i − R·b_i)", () => {
        // mean b 2, mean c 3: R = 1.5; z = 0.5, 0, 0.5, −1, sd √0.5; se(R) = √0.5 / 2 / 2
        const r = pairedMeanRatio([1, 2, 3, 2], [2, 3, 5, 2])!;
        expect(r.ratio).toBe(1.5);
        expect(r.low).toBeCloseTo(0.937418, 5);
        expect(r.high).toBeCloseTo(2.062582, 5);
        expect(r.p).toBeCloseTo(0.0917211, 6); // the paired t on c − b: R = 1 exactly when the means are equal
    });

    it("identical columns: a ratio of 1 with a point interval and p = 1; a baseline mean of 0: no ratio", () => {
        expect(pairedLogRatio([1, 2, 3], [1, 2, 3])).toEqual({ ratio: 1, low: 1, high: 1, p: 1, df: 2 });
        expect(pairedMeanRatio([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])).toEqual({ ratio: 1, low: 1, high: 1, p: 1, df: 2 });
        expect(pairedMeanRatio([0, 0, 0], [0.1, 0.2, 0.3])).toBeNull();
        expect(pairedLogRatio([1], [2])).toBeNull();
        expect(() => pairedLogRatio([1, 2], [1, 2, 3])).toThrow(RangeError);
    });
});

const n = 400;
const wave = (i: number, f: number) => Math.sin(i * f);

/**
 * A pass of 400 positions against a reference: `kld` scales the divergence, `shift` how much worse the model's NLL
 * is than the reference's (a quant), `exact` makes the model the reference itself (KLD 0, the same top tokens).
 */
function pass(opts: { kld?: number; shift?: number; exact?: boolean; corpusSha?: string; referenceSha?: string; topK?: number | null } = {}): QualityRecord {
    const token = Array.from({ length: n }, (_, i) => (i * 7) % 50);
    const nllRef = token.map((_, i) => 2 + 0.8 * wave(i, 1.7));
    const shift = opts.exact ? 0 : (opts.shift ?? 0.02);
    const scale = opts.exact ? 0 : (opts.kld ?? 1);
    const top1Ref = token.map((t, i) => (i % 3 === 0 ? t : 0));
    return {
        corpus: { path: "/texts/wiki.txt", sha256: opts.corpusSha ?? "ef".repeat(32) },
        context: 64, chunks: 13, corpusTokens: 900,
        reference: { name: "F16", file: "m-f16.gguf", sha256: opts.referenceSha ?? "12".repeat(32), topK: opts.topK === undefined ? null : opts.topK, cacheKey: "k", cacheBytes: 1, computeMs: 1 },
        ms: 1000, peakRssBytes: 1e6,
        positions: {
            token,
            nll: nllRef.map((v, i) => v + shift * (1 + 0.5 * wave(i, 0.9))),
            top1: top1Ref.map((t, i) => (opts.exact || i % (scale > 2 ? 4 : 10) !== 1 ? t : t + 1)),
            nllRef, top1Ref,
            kld: token.map((_, i) => scale * 0.01 * (1.2 + wave(i, 0.37)))
        }
    };
}

function run(id: string, startedAt: string, quality: QualityRecord | null, label = "model q"): RunFile {
    const config: ConfigRecord = { ...makeConfig("q"), label, quality };
    return toRunFile({ ...makeRun(), id, startedAt }, [config]);
}

const side = (spec: string, ...runs: RunFile[]): Side => ({ spec, description: spec, runs });
const qualityRows = (c: Comparison) => c.rows.filter((r) => r.item === "(quality)");
const byMetric = (c: Comparison) => new Map(qualityRows(c).map((r) => [r.metric, r]));
const flagged = (rows: MetricRow[]) => rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement").map((r) => `${r.metric} ${r.verdict}`);

describe("compare: (quality) rows", () => {
    const q8 = run("r1", "2026-01-01T00:00:00.000Z", pass({ kld: 1, shift: 0.02 }));
    const q4 = run("r2", "2026-01-02T00:00:00.000Z", pass({ kld: 3, shift: 0.2 }));

    it("a noisier quant against the same reference on the same text: KLD, PPL, top-1 flagged as regressions, its figures as the values", () => {
        const c = compareSides(side("q8", q8), side("q4", q4));
        const rows = byMetric(c);
        expect(flagged(qualityRows(c))).toEqual([
            "perplexity regression", "top1Accuracy regression", "pplRatio regression", "kldMean regression", "sameTop1 regression", "deltaPRms regression"
        ]);
        const kld = rows.get("kldMean")!;
        // the values are the run file's figures; the ratio theirs (a ratio of means): 3 by construction
        expect(kld).toMatchObject({ better: "lower", baseline: { n, value: q8.configs[0]!.quality!.figures.kldMean!.value }, candidate: { n } });
        expect(kld.ratio).toBeCloseTo(3, 12);
        expect(kld.low!).toBeGreaterThan(1.05);
        expect(kld.p!).toBeLessThan(0.001);
        const ppl = rows.get("perplexity")!;
        expect(ppl.ratio).toBeCloseTo(q4.configs[0]!.quality!.figures.perplexity!.value / q8.configs[0]!.quality!.figures.perplexity!.value, 12);
        // the same reference on both sides: its perplexity is unchanged, exactly
        expect(rows.get("perplexityRef")).toMatchObject({ ratio: 1, low: 1, high: 1, p: 1, verdict: "unchanged" });
        // shown, not judged, and why
        for (const metric of ["kldMedian", "kldP90", "kldP99", "kldP999", "kldMax"])
            expect(rows.get(metric)).toMatchObject({ verdict: "not judged", low: null, note: expect.stringMatching(/percentile or maximum/) });
        expect(rows.get("deltaPMean")).toMatchObject({ verdict: "not judged", note: expect.stringMatching(/signed mean/) });
        expect(rows.get("lnPplRatio")).toMatchObject({ verdict: "not judged", note: expect.stringMatching(/judged as PPL ratio/) });
        // the direction is the catalogue's: kldTailMass has none and is not a row
        expect(rows.has("kldTailMass")).toBe(false);
        expect(c.counts.regression).toBe(6);
    });

    it("the same pass twice (a deterministic engine) is unchanged on every judged row, never flagged", () => {
        const again = run("r3", "2026-01-03T00:00:00.000Z", pass({ kld: 1, shift: 0.02 }));
        const c = compareSides(side("a", q8), side("b", again));
        const judged = qualityRows(c).filter((r) => r.verdict !== "not judged");
        expect(judged.map((r) => r.metric)).toEqual(["perplexity", "top1Accuracy", "perplexityRef", "pplRatio", "kldMean", "sameTop1", "deltaPRms"]);
        for (const row of judged) expect(row).toMatchObject({ ratio: 1, low: 1, high: 1, p: 1, verdict: "unchanged" });
        expect(c.counts.regression + c.counts.improvement).toBe(0);
    });

    it("the reference against itself (KLD 0 everywhere) makes no KLD ratio: not judged, saying why", () => {
        const reference = run("r1", "2026-01-01T00:00:00.000Z", pass({ exact: true }));
        const c = compareSides(side("a", reference), side("b", reference), { sameRun: true });
        const rows = byMetric(c);
        expect(rows.get("kldMean")).toMatchObject({ verdict: "not judged", note: "the baseline's mean is 0: no ratio" });
        expect(rows.get("deltaPRms")).toMatchObject({ verdict: "not judged", note: "the baseline's mean is 0: no ratio" });
        expect(rows.get("sameTop1")).toMatchObject({ ratio: 1, verdict: "unchanged" });
        expect(flagged(c.rows)).toEqual([]);
    });

    it("different references, or KLD computed another way: the reference's figures not judged, perplexity still paired", () => {
        const other = run("r2", "2026-01-02T00:00:00.000Z", pass({ kld: 3, shift: 0.2, referenceSha: "34".repeat(32) }));
        const rows = byMetric(compareSides(side("a", q8), side("b", other)));
        for (const metric of ["kldMean", "sameTop1", "deltaPRms", "pplRatio"])
            expect(rows.get(metric)).toMatchObject({ verdict: "not judged", note: expect.stringMatching(/^different references \(m-f16\.gguf → m-f16\.gguf\)/) });
        expect(rows.get("perplexity")!.verdict).toBe("regression");
        const topK = run("r2", "2026-01-02T00:00:00.000Z", pass({ kld: 3, topK: 64 }));
        expect(byMetric(compareSides(side("a", q8), side("b", topK))).get("kldMean")).toMatchObject({ verdict: "not judged", note: "KLD computed differently (exact → top-64)" });
    });

    it("different texts: every quality row shown and not judged — perplexities of different texts are not comparable", () => {
        const elsewhere = run("r2", "2026-01-02T00:00:00.000Z", pass({ kld: 3, shift: 0.2, corpusSha: "99".repeat(32) }));
        const rows = qualityRows(compareSides(side("a", q8), side("b", elsewhere)));
        expect(rows.length).toBeGreaterThan(10);
        for (const row of rows) expect(row).toMatchObject({ verdict: "not judged", low: null, p: null, note: expect.stringMatching(/^different text scored \(another corpus\)/) });
        // the same corpus tokenized differently (another tokenizer) is another text too
        const retokenized = pass({ kld: 3 });
        retokenized.positions.token[5] = 49;
        const rows2 = qualityRows(compareSides(side("a", q8), side("b", run("r2", "2026-01-02T00:00:00.000Z", retokenized))));
        expect(rows2[0]!.note).toMatch(/the text tokenizes differently/);
    });

    it("--metric picks quality metrics as it picks others; a pass on one side only is listed as unmatched", () => {
        const c = compareSides(side("a", q8), side("b", q4), { metrics: ["kldMean"] });
        expect(c.rows.map((r) => `${r.item} ${r.metric}`)).toEqual(["(quality) kldMean"]);
        const speedOnly = compareSides(side("a", q8), side("b", q4), { metrics: ["decodeTps"] });
        expect(qualityRows(speedOnly)).toEqual([]);
        const none = compareSides(side("a", q8), side("b", run("r2", "2026-01-02T00:00:00.000Z", null)));
        expect(qualityRows(none)).toEqual([]);
        expect(none.unmatched).toEqual([{ side: "baseline", machine: expect.any(String), config: "q", label: "model q", item: "(quality)", why: "quality pass in the baseline only" }]);
    });

    it("--pool takes the newest run's pass (quality does not vary run to run), and says so", () => {
        const older = run("r0", "2025-12-31T00:00:00.000Z", pass({ kld: 1, shift: 0.02 }));
        const c = compareSides(side("a", q8), side("b", older, q4), { pool: true });
        expect(byMetric(c).get("kldMean")!.ratio).toBeCloseTo(3, 12);
        expect(byMetric(c).get("kldMean")!.noise).toBe("paired positions");
        expect(compareSerializers.text(c)).toContain("(quality) by the paired t on per-position differences");
    });

    it("text and markdown say why rows were not judged, labels made visible", () => {
        const hostile = run("r2", "2026-01-02T00:00:00.000Z", pass({ kld: 3, shift: 0.2 }), "q\u001b[2J4");
        const c = compareSides(side("a", run("r1", "2026-01-01T00:00:00.000Z", pass(), "q\u001b[2J4")), side("b", hostile));
        expect(noteLines(c)).toContain("q\u001b[2J4 (quality): KLD median, KLD p90, KLD p99, KLD p99.9, KLD max: a percentile or maximum of positions: no paired interval, shown only");
        const text = compareSerializers.text(c);
        expect(text).toMatch(/\nnot judged:\n(  .*\n)*  q\\x1b\[2J4 \(quality\): KLD median, KLD p90, /);
        expect(text).not.toContain("\u001b[2J");
        expect(compareSerializers.md(c)).toMatch(/Not judged: q.*\(quality\): KLD median/);
    });
});
