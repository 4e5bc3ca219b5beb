import { describe, expect, it } from "vitest";
import { findKnee, kneeText, parallelOutcome, type LevelPoint } from "../../runner/stats/knee.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import type { ParallelTest } from "../../runner/suite/types.ts";

const levels = (tps: number[], itl: (number | null)[] = tps.map(() => 10), at = [1, 2, 4, 8]): LevelPoint[] =>
    tps.map((decodeTps, i) => ({ sequences: at[i]!, decodeTps, prefillTps: null, itlP90Ms: itl[i]!, ttftMs: null }));

describe("findKnee", () => {
    it("rising at every step: the highest level, still rising", () => {
        expect(findKnee(levels([100, 190, 350, 600]), 0.1, null)).toEqual({ knee: 8, stillRising: true, overBudget: null });
    });
    it("rising, then flat: the last level that still rose by the fraction", () => {
        expect(findKnee(levels([100, 190, 205, 210]), 0.1, null)).toEqual({ knee: 2, stillRising: false, overBudget: null });
    });
    it("a rise just under the fraction stops the walk; exactly the fraction does not", () => {
        expect(findKnee(levels([100, 110, 120.9]), 0.1, null).knee).toBe(2);
        expect(findKnee(levels([100, 109.9, 200]), 0.1, null).knee).toBe(1);
    });
    it("flat from the start: the lowest level", () => {
        expect(findKnee(levels([100, 101, 99, 100]), 0.1, null)).toEqual({ knee: 1, stillRising: false, overBudget: null });
    });
    it("falling: the lowest level, and a later recovery does not move the knee", () => {
        expect(findKnee(levels([100, 80, 60, 40]), 0.1, null).knee).toBe(1);
        expect(findKnee(levels([100, 150, 140, 400]), 0.1, null).knee).toBe(2);
    });
    it("uses the rise it is given", () => {
        expect(findKnee(levels([100, 150, 200, 240]), 0.3, null).knee).toBe(4);
        expect(findKnee(levels([100, 150, 200, 240]), 0.1, null).knee).toBe(8);
    });
    it("levels in any order are walked ascending", () => {
        expect(findKnee(levels([350, 100, 205, 190], undefined, [4, 1, 8, 2]), 0.1, null).knee).toBe(4);
    });
    it("one level: no knee, but the budget is still judged", () => {
        expect(findKnee(levels([100], [120]), 0.1, 100)).toEqual({ knee: null, stillRising: false, overBudget: 1 });
    });
    it("the budget: the first level whose ITL p90 exceeds it (equal is within), none when all are within", () => {
        expect(findKnee(levels([100, 190, 350, 600], [20, 50, 100, 180]), 0.1, 100).overBudget).toBe(8);
        expect(findKnee(levels([100, 190, 350, 600], [20, 50, 100, 100]), 0.1, 100).overBudget).toBeNull();
        expect(findKnee(levels([100, 190, 350, 600], [20, 150, 90, 180]), 0.1, 100).overBudget).toBe(2);
        expect(findKnee(levels([100, 190], [null, 500]), 0.1, null).overBudget).toBeNull();
    });
});

describe("parallelOutcome", () => {
    const test: ParallelTest = { id: "par:pp8+tg4", sequences: [1, 2, 4], prompt: 8, gen: 4, shared: false, rise: 0.1, itlP90Ms: 12 };
    it("takes each level's medians over its repetitions from the summaries; a level never measured is absent", () => {
        const m = (prompt: string, rep: number, decodeTps: number, itlP90Ms: number) => ({ prompt, rep, metrics: { decodeTps, itlP90Ms, ttftMs: 5 } });
        const summary = summarizeMeasurements([
            m("np1:pp8+tg4", 0, 100, 10), m("np1:pp8+tg4", 1, 104, 10), m("np1:pp8+tg4", 2, 96, 11),
            m("np2:pp8+tg4", 0, 150, 13), m("np2:pp8+tg4", 1, 30, 14), m("np2:pp8+tg4", 2, 160, 15)
        ]);
        const outcome = parallelOutcome(test, summary);
        expect(outcome.levels).toEqual([
            { sequences: 1, decodeTps: 100, prefillTps: null, itlP90Ms: 10, ttftMs: 5 },
            { sequences: 2, decodeTps: 150, prefillTps: null, itlP90Ms: 14, ttftMs: 5 }
        ]);
        expect(outcome).toMatchObject({ test: "par:pp8+tg4", knee: 2, stillRising: true, overBudget: 2 });
        expect(kneeText(outcome)).toBe("par:pp8+tg4: still rising at 2 sequences (every step +10 % or more in aggregate decode tok/s); ITL p90 exceeds 12 ms from 2 sequences");
        expect(kneeText({ ...outcome, knee: 1, stillRising: false, overBudget: null }))
            .toBe("par:pp8+tg4: knee at 1 sequence (the last level whose aggregate decode tok/s rose 10 % or more); ITL p90 within 12 ms at every level measured");
    });
});
