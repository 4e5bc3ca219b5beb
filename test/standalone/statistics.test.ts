import { describe, expect, it } from "vitest";
import type { Measurement } from "../../runner/results.ts";
import { computeStatistics } from "../../runner/stats/computeStatistics.ts";
import { percentile } from "../../runner/stats/percentile.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import { measurementWarnings } from "../../runner/stats/warnings.ts";

describe("computeStatistics", () => {
    it("summarises an even count: median is the mean of the middle two, sd uses n − 1", () => {
        // sum 40 → mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = √(32/7) = 2.13809…; middle two 4, 5 → 4.5
        const s = computeStatistics([2, 4, 4, 4, 5, 5, 7, 9]);
        expect(s).toEqual({ n: 8, mean: 5, sd: expect.closeTo(Math.sqrt(32 / 7), 12), median: 4.5, min: 2, max: 9 });
        expect(s.sd).toBeCloseTo(2.13809, 5);
    });

    it("summarises an odd count from unsorted input", () => {
        // mean (9+1+5)/3 = 5; squared deviations 16+16+0 = 32; sd = √(32/2) = 4; sorted 1,5,9 → median 5
        expect(computeStatistics([9, 1, 5])).toEqual({ n: 3, mean: 5, sd: 4, median: 5, min: 1, max: 9 });
    });

    it("keeps an outlier in the mean but not in the median", () => {
        // mean 110/5 = 22; deviations −21,−20,−19,−18,78 → squares 441+400+361+324+6084 = 7610; sd = √(7610/4) = √1902.5 = 43.61766…
        const s = computeStatistics([1, 2, 3, 4, 100]);
        expect(s.mean).toBe(22);
        expect(s.median).toBe(3);
        expect(s.sd).toBeCloseTo(43.61766, 4);
    });

    it("gives sd 0 for a single sample", () => {
        expect(computeStatistics([3])).toEqual({ n: 1, mean: 3, sd: 0, median: 3, min: 3, max: 3 });
    });

    it("does not reorder the caller's array", () => {
        const samples = [3, 1, 2];
        computeStatistics(samples);
        expect(samples).toEqual([3, 1, 2]);
    });

    it("refuses empty and non-finite input", () => {
        expect(() => computeStatistics([])).toThrow(RangeError);
        expect(() => computeStatistics([1, Number.NaN])).toThrow(/sample 1 to be a finite number/);
        expect(() => computeStatistics([Number.POSITIVE_INFINITY])).toThrow(RangeError);
    });
});

describe("percentile", () => {
    const sorted = [10, 20, 30, 40];

    it("interpolates linearly between ranks like numpy's default", () => {
        // rank = p/100 × (n − 1) = p/100 × 3
        expect(percentile(sorted, 50)).toBe(25); //   rank 1.5  → 20 + 0.5 × 10
        expect(percentile(sorted, 90)).toBeCloseTo(37, 10); //   rank 2.7  → 30 + 0.7 × 10 (np.percentile: 37.0)
        expect(percentile(sorted, 99)).toBeCloseTo(39.7, 10); // rank 2.97 → 30 + 0.97 × 10
        expect(percentile(sorted, 0)).toBe(10);
        expect(percentile(sorted, 100)).toBe(40);
    });

    it("lands exactly on a sample when the rank is whole", () => {
        // [1, 2, 3, 4, 5]: p25 → rank 1 → 2; p75 → rank 3 → 4
        expect(percentile([1, 2, 3, 4, 5], 25)).toBe(2);
        expect(percentile([1, 2, 3, 4, 5], 75)).toBe(4);
    });

    it("returns the only value of a single-value list", () => {
        expect(percentile([7], 99)).toBe(7);
    });

    it("refuses an empty list and p outside 0–100", () => {
        expect(() => percentile([], 50)).toThrow(RangeError);
        expect(() => percentile(sorted, 101)).toThrow(/from 0 to 100/);
        expect(() => percentile(sorted, -1)).toThrow(RangeError);
        expect(() => percentile(sorted, Number.NaN)).toThrow(RangeError);
    });
});

function rep(prompt: string, index: number, metrics: Record<string, number>, kind: Measurement["kind"] = "prompt"): Measurement {
    return { kind, prompt, rep: index, metrics };
}

describe("summarizeMeasurements", () => {
    it("summarises each metric of each prompt over its repetitions, keyed by prompt, then metric", () => {
        const summary = summarizeMeasurements([
            rep("explain", 0, { decodeTps: 10, genTokens: 128 }),
            rep("explain", 1, { decodeTps: 12, genTokens: 128 }),
            rep("explain", 2, { decodeTps: 14, genTokens: 128 }),
            rep("tg128", 0, { decodeTps: 50 }, "tg"),
            rep("tg128", 1, { decodeTps: 54 }, "tg")
        ]);
        expect(Object.keys(summary)).toEqual(["explain", "tg128"]);
        expect(Object.keys(summary.explain!)).toEqual(["decodeTps", "genTokens"]);
        // 10, 12, 14: mean 12, sd √((4+0+4)/2) = 2
        expect(summary.explain?.decodeTps).toEqual({ n: 3, mean: 12, sd: 2, median: 12, min: 10, max: 14 });
        expect(summary.explain?.genTokens).toEqual({ n: 3, mean: 128, sd: 0, median: 128, min: 128, max: 128 });
        // 50, 54: mean 52, sd √((4+4)/1) = 2√2, median 52
        expect(summary.tg128?.decodeTps).toEqual({ n: 2, mean: 52, sd: expect.closeTo(2 * Math.SQRT2, 12), median: 52, min: 50, max: 54 });
    });

    it("summarises a metric over only the repetitions that have it", () => {
        const summary = summarizeMeasurements([rep("a", 0, { x: 1, y: 5 }), rep("a", 1, { x: 3 })]);
        expect(summary.a?.x?.n).toBe(2);
        expect(summary.a?.y).toEqual({ n: 1, mean: 5, sd: 0, median: 5, min: 5, max: 5 });
    });

    it("keeps a prompt id holding a dot apart from its metric names", () => {
        const summary = summarizeMeasurements([rep("v1.2", 0, { decodeTps: 3 }), rep("v1", 0, { "2.decodeTps": 4 })]);
        expect(summary["v1.2"]?.decodeTps?.median).toBe(3);
        expect(summary.v1?.["2.decodeTps"]?.median).toBe(4);
    });

    it("is empty without measurements and names the key of a non-finite sample", () => {
        expect(summarizeMeasurements([])).toEqual({});
        expect(() => summarizeMeasurements([rep("a", 0, { decodeTps: Number.NaN })])).toThrow(/`decodeTps` of `a`/);
    });
});

describe("measurementWarnings", () => {
    it("warns when sd/mean of a speed metric is above 10 %", () => {
        // 10, 12, 14: sd 2 / mean 12 = 16.7 %
        const warnings = measurementWarnings([
            rep("explain", 0, { decodeTps: 10 }), rep("explain", 1, { decodeTps: 12 }), rep("explain", 2, { decodeTps: 14 })
        ]);
        expect(warnings).toEqual([{ kind: "highVariance", prompt: "explain", metric: "decodeTps", variation: 2 / 12 }]);
    });

    it("stays quiet for a steady metric and for metrics that are not speeds", () => {
        // 10, 10.5, 11: sd 0.5 / mean 10.5 = 4.8 %; genTokens varying is not a speed problem
        expect(measurementWarnings([
            rep("explain", 0, { decodeTps: 10, genTokens: 10 }),
            rep("explain", 1, { decodeTps: 10.5, genTokens: 100 }),
            rep("explain", 2, { decodeTps: 11, genTokens: 50 })
        ])).toEqual([]);
    });

    it("warns when the first repetition is more than 1.5× the median of the rest", () => {
        // e2eMs first 2100, rest 1000, 1000 → 2.1×; given out of order: rep 0 is the first run, not the first element
        const warnings = measurementWarnings([
            rep("explain", 1, { e2eMs: 1000 }), rep("explain", 0, { e2eMs: 2100 }), rep("explain", 2, { e2eMs: 1000 })
        ]);
        expect(warnings[0]).toEqual({ kind: "firstRunSlow", prompt: "explain", metric: "e2eMs", ratio: 2.1 });
        // the same spread also shows as variation: mean 1366.7, sd 635.1 → 46 %
        expect(warnings[1]).toEqual({ kind: "highVariance", prompt: "explain", metric: "e2eMs", variation: expect.closeTo(0.4647, 4) });
    });

    it("uses ttftMs when there is no e2eMs, and needs at least 3 repetitions", () => {
        expect(measurementWarnings([
            rep("p", 0, { ttftMs: 400 }), rep("p", 1, { ttftMs: 100 }), rep("p", 2, { ttftMs: 110 }), rep("p", 3, { ttftMs: 120 })
        ])[0]).toEqual({ kind: "firstRunSlow", prompt: "p", metric: "ttftMs", ratio: 400 / 110 }); // 400 / median(100, 110, 120)
        expect(measurementWarnings([rep("p", 0, { ttftMs: 400 }), rep("p", 1, { ttftMs: 100 })])
            .some((w) => w.kind === "firstRunSlow")).toBe(false);
    });

    it("does not warn at exactly 1.5× the median of the rest", () => {
        expect(measurementWarnings([
            rep("p", 0, { e2eMs: 150 }), rep("p", 1, { e2eMs: 100 }), rep("p", 2, { e2eMs: 100 })
        ]).some((w) => w.kind === "firstRunSlow")).toBe(false);
    });

    it("judges each prompt on its own", () => {
        const warnings = measurementWarnings([
            rep("steady", 0, { prefillTps: 100 }), rep("steady", 1, { prefillTps: 101 }),
            rep("noisy", 0, { prefillTps: 100 }), rep("noisy", 1, { prefillTps: 150 })
        ]);
        // 100, 150: mean 125, sd √(625·2/1) = 35.36 → 28 %
        expect(warnings).toEqual([{ kind: "highVariance", prompt: "noisy", metric: "prefillTps", variation: expect.closeTo(0.2828, 4) }]);
    });
});
