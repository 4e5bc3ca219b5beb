import { describe, expect, it } from "vitest";
import { medianInterval, medianIntervalCoverage } from "../../runner/stats/medianInterval.ts";

// coverage of [X(k), X(n+1−k)] = Σ_{i=k}^{n−k} C(n, i) / 2ⁿ, worked by hand below
describe("medianIntervalCoverage", () => {
    it("matches hand-worked binomial sums", () => {
        expect(medianIntervalCoverage(1, 1)).toBe(0); //       i from 1 to 0: empty
        expect(medianIntervalCoverage(2, 1)).toBe(0.5); //     C(2,1) = 2 → 2/4
        expect(medianIntervalCoverage(5, 1)).toBe(0.9375); //  1 − 2·C(5,0)/32 = 30/32
        expect(medianIntervalCoverage(5, 3)).toBe(0); //       the sample median alone: i from 3 to 2, empty
        expect(medianIntervalCoverage(6, 3)).toBe(0.3125); //  C(6,3) = 20 → 20/64
        expect(medianIntervalCoverage(10, 2)).toBe(0.978515625); // 1 − 2·(1 + 10)/1024 = 1002/1024
        expect(medianIntervalCoverage(10, 3)).toBe(0.890625); //    1 − 2·(1 + 10 + 45)/1024 = 912/1024
    });

    it("stays exact where the binomial coefficients pass 2^53", () => {
        // n = 100, k = 40: the textbook 95 % interval X(40)..X(61), coverage 0.96480 (exact fraction via Python's fractions)
        expect(medianIntervalCoverage(100, 40)).toBeCloseTo(0.9647997997822951, 15);
        expect(medianIntervalCoverage(199, 86)).toBeCloseTo(0.9531135323678285, 15);
    });

    it("refuses n < 1 and k outside 1..(n+1)/2", () => {
        expect(() => medianIntervalCoverage(0, 1)).toThrow(RangeError);
        expect(() => medianIntervalCoverage(5, 0)).toThrow(/from 1 to 3/);
        expect(() => medianIntervalCoverage(6, 4)).toThrow(/from 1 to 3/);
        expect(() => medianIntervalCoverage(5, 1.5)).toThrow(RangeError);
    });
});

describe("medianInterval", () => {
    it("n = 5 cannot reach 95 %: the widest interval [min, max] at 93.75 %", () => {
        expect(medianInterval([3, 1, 5, 2, 4])).toEqual({ low: 1, high: 5, lowRank: 1, highRank: 5, coverage: 0.9375 });
    });

    it("n = 10: ranks 2..9 at 97.85 %, as ranks 3..8 reach only 89.06 %", () => {
        const samples = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        expect(medianInterval(samples)).toEqual({ low: 2, high: 9, lowRank: 2, highRank: 9, coverage: 0.978515625 });
        expect(samples[0]).toBe(10); // the caller's array is not sorted in place
    });

    it("n = 6 and 7 are the first to reach 95 %, with ranks 1..n", () => {
        expect(medianInterval([1, 2, 3, 4, 5, 6])).toMatchObject({ lowRank: 1, highRank: 6, coverage: 0.96875 });
        // the measured per-pair ratios of the bimodal machine: [0.67, 1.27] at 98.4 %
        expect(medianInterval([1.27, 1.25, 0.67, 0.76, 0.76, 0.86, 0.98])).toEqual({ low: 0.67, high: 1.27, lowRank: 1, highRank: 7, coverage: 0.984375 });
    });

    it("n = 20 and 100 give the textbook ranks 6..15 and 40..61", () => {
        const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
        expect(medianInterval(ramp(20))).toMatchObject({ low: 6, high: 15, coverage: expect.closeTo(0.9586105346679688, 15) });
        expect(medianInterval(ramp(100))).toMatchObject({ low: 40, high: 61, coverage: expect.closeTo(0.9647997997822951, 15) });
    });

    it("takes another level", () => {
        // n = 10 at 80 %: ranks 3..8 (89.06 %); ranks 4..7 would give 1 − 2·176/1024 = 65.6 %
        expect(medianInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.8)).toEqual({ low: 3, high: 8, lowRank: 3, highRank: 8, coverage: 0.890625 });
    });

    it("n = 1: the single sample, coverage 0; n = 0: null", () => {
        expect(medianInterval([7])).toEqual({ low: 7, high: 7, lowRank: 1, highRank: 1, coverage: 0 });
        expect(medianInterval([])).toBeNull();
    });

    it("refuses non-finite samples and a level outside (0, 1)", () => {
        expect(() => medianInterval([1, Number.NaN])).toThrow(/sample 1 to be a finite number/);
        expect(() => medianInterval([1, 2], 1)).toThrow(RangeError);
        expect(() => medianInterval([1, 2], 0)).toThrow(RangeError);
        expect(() => medianInterval([1, 2], 95)).toThrow(/between 0 and 1/);
    });
});
