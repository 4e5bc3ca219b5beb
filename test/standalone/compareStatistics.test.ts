import { describe, expect, it } from "vitest";
import { logRatio } from "../../runner/stats/logRatio.ts";
import { logMean, minHistoryRuns, minPooledDf, pooledRunToRunInterval, runToRunInterval } from "../../runner/stats/runToRun.ts";
import { tQuantile, tTwoSidedP } from "../../runner/stats/studentT.ts";

describe("Student's t", () => {
    it("gives R's / scipy's quantiles (qt(0.975, df)), fractional df included", () => {
        expect(tQuantile(0.975, 1)).toBeCloseTo(12.706205, 5);
        expect(tQuantile(0.975, 2)).toBeCloseTo(4.302653, 5);
        expect(tQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
        expect(tQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
        expect(tQuantile(0.975, 4.5)).toBeCloseTo(2.658912, 5); // scipy.stats.t.ppf(0.975, 4.5)
        expect(tQuantile(0.025, 4)).toBeCloseTo(-2.776445, 5);
        expect(tQuantile(0.5, 3)).toBe(0);
    });

    it("gives two-sided tail probabilities (2·pt(−|t|, df))", () => {
        expect(tTwoSidedP(2, 1)).toBeCloseTo(0.2951672, 6);
        expect(tTwoSidedP(-2, 4)).toBeCloseTo(0.1161165, 6);
        expect(tTwoSidedP(2, 4.5)).toBeCloseTo(0.1082579, 6); // 2 · scipy.stats.t.sf(2, 4.5)
        expect(tTwoSidedP(0, 3)).toBe(1);
        expect(tTwoSidedP(Infinity, 3)).toBe(0);
    });

    it("refuses p outside (0, 1) and df ≤ 0", () => {
        expect(() => tQuantile(1, 3)).toThrow(RangeError);
        expect(() => tQuantile(0.9, 0)).toThrow(/df/);
        expect(() => tTwoSidedP(1, -1)).toThrow(RangeError);
    });
});

describe("logRatio (Welch's t on the logs)", () => {
    it("matches a hand-worked case: logs 0, ±0.02 against −0.1, −0.1 ± 0.02", () => {
        // each side: mean of logs 0 and −0.1, variance 0.0004, so se² = 2 · 0.0004 / 3, df = 4 (equal variances and n),
        // t = −0.1 / √(0.000267) = −6.124; scipy.stats.ttest_ind(…, equal_var=False): p = 0.0036022
        const r = logRatio([1, Math.exp(0.02), Math.exp(-0.02)], [Math.exp(-0.1), Math.exp(-0.08), Math.exp(-0.12)])!;
        expect(r.ratio).toBeCloseTo(Math.exp(-0.1), 12);
        expect(r.df).toBeCloseTo(4, 10);
        expect(r.p).toBeCloseTo(0.0036022, 6);
        // exp(−0.1 ∓ 2.776445 · 0.016330)
        expect(r.low).toBeCloseTo(0.864729, 5);
        expect(r.high).toBeCloseTo(0.946806, 5);
    });

    it("matches scipy on unequal spreads (Welch–Satterthwaite df)", () => {
        const r = logRatio([1270, 1250, 1330], [900, 1310, 1100])!;
        expect(r.p).toBeCloseTo(0.2712370, 6);
        expect(r.df).toBeCloseTo(2.1176302, 6);
        expect(r.low).toBeLessThan(1);
        expect(r.high).toBeGreaterThan(1);
    });

    it("is a point when neither side varies: p 0 when they differ, 1 when equal", () => {
        const doubled = logRatio([5, 5], [10, 10])!;
        expect(doubled.ratio).toBeCloseTo(2, 12);
        expect(doubled).toEqual({ ratio: doubled.ratio, low: doubled.ratio, high: doubled.ratio, p: 0, df: Infinity, logSe: 0 });
        expect(logRatio([5, 5, 5], [5, 5])).toEqual({ ratio: 1, low: 1, high: 1, p: 1, df: Infinity, logSe: 0 });
    });

    it("has no answer from one sample per side or from values that are not positive", () => {
        expect(logRatio([5], [6, 7])).toBeNull();
        expect(logRatio([5, 0], [6, 7])).toBeNull();
        expect(logRatio([5, 6], [6, Number.NaN])).toBeNull();
    });
});

describe("runToRunInterval (between-run noise from history)", () => {
    it("uses the sample variance of earlier runs' log means, times 1/r_a + 1/r_b, with t on k − 1 df", () => {
        // log means 0, ±0.1, ±0.05: mean 0, variance (0.01 + 0.01 + 0.0025 + 0.0025) / 4 = 0.00625
        const history = [0, 0.1, -0.1, 0.05, -0.05];
        const r = runToRunInterval(Math.log(0.8), history, 1, 1)!;
        const se = Math.sqrt(0.00625 * 2);
        const t = 2.7764451051977987; // qt(0.975, 4)
        expect(r.ratio).toBeCloseTo(0.8, 12);
        expect(Math.log(r.low)).toBeCloseTo(Math.log(0.8) - t * se, 9);
        expect(Math.log(r.high)).toBeCloseTo(Math.log(0.8) + t * se, 9);
        expect(r).toMatchObject({ df: 4, runs: 5 });
        // pooled runs narrow it: 3 a side
        const pooled = runToRunInterval(Math.log(0.8), history, 3, 3)!;
        expect(Math.log(pooled.high / pooled.low)).toBeCloseTo(Math.log(r.high / r.low) / Math.sqrt(3), 9);
    });

    it("needs 5 earlier runs, and finite values", () => {
        expect(minHistoryRuns).toBe(5);
        expect(runToRunInterval(0, [0, 0.1, -0.1, 0.05], 1, 1)).toBeNull();
        expect(runToRunInterval(0, [0, 0.1, -0.1, 0.05, Number.NaN], 1, 1)).toBeNull();
        expect(logMean([1, Math.E * Math.E])).toBeCloseTo(1, 12);
        expect(logMean([1, 0])).toBeNull();
    });
});

describe("pooledRunToRunInterval (the machine's drift, pooled over figures)", () => {
    it("pools each figure's squared deviations from its own mean over Σ(k − 1) degrees of freedom", () => {
        // two figures at different levels (never mixed): deviations ±0.1 around 1, and ±0.05, 0 around 5; a third of
        // two equal runs adds a degree of freedom and no square
        const series = [[0.9, 1.1], [4.95, 5, 5.05], [7, 7]];
        const squares = 0.02 + 0.005;
        const df = 1 + 2 + 1;
        const r = pooledRunToRunInterval(Math.log(0.9), series, 1, 1)!;
        const se = Math.sqrt((squares / df) * 2);
        expect(Math.log(r.high)).toBeCloseTo(Math.log(0.9) + tQuantile(0.975, df) * se, 9);
        expect(Math.log(r.low)).toBeCloseTo(Math.log(0.9) - tQuantile(0.975, df) * se, 9);
        expect(r).toMatchObject({ df: 4, runs: 3, figures: 3 });
        // at least minPooledDf (2) degrees of freedom: one figure of two runs is too few, two of them enough
        expect(minPooledDf).toBe(2);
        expect(pooledRunToRunInterval(0, [[0.9, 1.1]], 1, 1)).toBeNull();
        expect(pooledRunToRunInterval(0, [[0.9, 1.1], [2, 2.2]], 1, 1)).toMatchObject({ df: 2 });
    });

    it("skips figures of one run and values that are not finite", () => {
        expect(pooledRunToRunInterval(0, [[1], [2], [3], [4], [5], [6]], 1, 1)).toBeNull();
        expect(pooledRunToRunInterval(0, [[1, 1.1, Number.NaN], [2, 2.1], [3, 3.1], [4, 4.1]], 1, 1)).toMatchObject({ df: 4, figures: 4 });
        expect(pooledRunToRunInterval(0, [[1, Number.NaN], [2]], 1, 1)).toBeNull();
    });
});
