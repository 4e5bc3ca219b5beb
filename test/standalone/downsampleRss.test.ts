import { describe, expect, it } from "vitest";
import { downsampleRss } from "../../runner/stats/downsampleRss.ts";
import type { Phase, RssSample } from "../../runner/results.ts";

/** A 40 Hz timeline: `phases` in turn, `per` samples each, bytes from `bytesAt(i)`. */
function timeline(phases: Phase[], per: number, bytesAt: (i: number) => number): RssSample[] {
    return phases.flatMap((phase, p) => Array.from({ length: per }, (_, j) => {
        const i = p * per + j;
        return { t: i * 25, bytes: bytesAt(i), phase };
    }));
}

describe("downsampleRss", () => {
    it("keeps a timeline that fits as it is", () => {
        const samples = timeline(["load", "decode"], 5, (i) => 1000 + i);
        expect(downsampleRss(samples, 10)).toEqual(samples);
    });

    it("keeps at most `max` samples: the first, the last, each phase's peak, and each slice's highest", () => {
        // a saw: bytes rise within every 7 samples; the load phase peaks early at a spike
        const samples = timeline(["load", "warmup", "prefill", "decode", "unload"], 200, (i) => (i === 13 ? 9_000_000 : 1_000_000 + (i % 7) * 1000 + i));
        const kept = downsampleRss(samples, 50);
        expect(kept.length).toBeLessThanOrEqual(50);
        expect(kept.length).toBeGreaterThanOrEqual(45);
        expect(kept[0]).toBe(samples[0]);
        expect(kept.at(-1)).toBe(samples.at(-1));
        // in time order, each a sample of the input
        for (let i = 1; i < kept.length; i++) expect(kept[i]!.t).toBeGreaterThan(kept[i - 1]!.t);
        for (const phase of ["load", "warmup", "prefill", "decode", "unload"] as const) {
            const peak = Math.max(...samples.filter((s) => s.phase === phase).map((s) => s.bytes));
            expect(Math.max(...kept.filter((s) => s.phase === phase).map((s) => s.bytes)), phase).toBe(peak);
        }
        expect(kept).toContain(samples[13]);
    });

    it("is deterministic: the same input gives the same samples", () => {
        const samples = timeline(["load", "decode"], 1000, (i) => Math.round(1e6 + 1e5 * Math.sin(i / 17)));
        expect(downsampleRss(samples, 64)).toEqual(downsampleRss(samples.map((s) => ({ ...s })), 64));
    });

    it("keeps the earliest of equal peaks", () => {
        const samples = timeline(["decode"], 100, () => 5);
        const kept = downsampleRss(samples, 4);
        expect(kept[0]).toBe(samples[0]);
        expect(kept.length).toBeLessThanOrEqual(4);
    });

    it("refuses a budget below 2", () => {
        expect(() => downsampleRss([], 1)).toThrow(RangeError);
    });
});
