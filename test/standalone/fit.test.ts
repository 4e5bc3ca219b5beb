import { describe, expect, it } from "vitest";
import { checkFit, kvCacheProblems, type MemoryEstimate } from "../../runner/plan/fit.ts";

const GiB = 1024 ** 3;

function estimate(ramGiB: number, vramGiB: number): MemoryEstimate {
    return {
        gpuLayers: vramGiB > 0 ? 33 : 0,
        problems: [],
        modelRamBytes: ramGiB * 0.5 * GiB,
        contextRamBytes: ramGiB * 0.5 * GiB,
        modelVramBytes: vramGiB * 0.75 * GiB,
        contextVramBytes: vramGiB * 0.25 * GiB,
        totalRamBytes: ramGiB * GiB,
        totalVramBytes: vramGiB * GiB
    };
}

describe("checkFit on a discrete GPU", () => {
    const available = { freeRamBytes: 8 * GiB, totalRamBytes: 16 * GiB, freeVramBytes: 6 * GiB, unifiedMemory: false };

    it("fits when RAM and VRAM parts each fit their own memory", () => {
        expect(checkFit(estimate(7.5, 5.5), available)).toEqual({ fits: true });
    });

    it("does not count VRAM against RAM", () => {
        // 7.5 + 5.5 = 13 GiB would exceed 8 GiB free RAM if they were added
        expect(checkFit(estimate(7.5, 5.5), available).fits).toBe(true);
    });

    it("names the VRAM shortfall", () => {
        expect(checkFit(estimate(1, 6.5), available)).toEqual({ fits: false, reason: "needs ~6.5 GiB VRAM, 6.0 GiB free" });
    });

    it("names the RAM shortfall, and both when both fall short", () => {
        expect(checkFit(estimate(9, 1), available)).toEqual({ fits: false, reason: "needs ~9.0 GiB RAM, 8.0 GiB free" });
        expect(checkFit(estimate(9, 7), available)).toEqual({
            fits: false,
            reason: "needs ~7.0 GiB VRAM, 6.0 GiB free; needs ~9.0 GiB RAM, 8.0 GiB free"
        });
    });

    it("says when the need exceeds the machine's total RAM, not just what is free", () => {
        expect(checkFit(estimate(20, 0), available)).toEqual({ fits: false, reason: "needs ~20 GiB RAM, more than the machine's 16 GiB" });
    });

    it("fits a CPU-only estimate with no VRAM on a machine without VRAM", () => {
        expect(checkFit(estimate(3.2, 0), { ...available, freeVramBytes: 0 })).toEqual({ fits: true });
    });
});

describe("checkFit on unified memory (Apple silicon)", () => {
    const available = { freeRamBytes: 10 * GiB, totalRamBytes: 16 * GiB, freeVramBytes: 12 * GiB, unifiedMemory: true };

    it("counts VRAM against RAM", () => {
        expect(checkFit(estimate(1, 8.5), available)).toEqual({ fits: true });
        expect(checkFit(estimate(2.2, 8.5), available)).toEqual({ fits: false, reason: "needs ~11 GiB unified memory, 10 GiB free" });
    });

    it("ignores the separately reported free VRAM", () => {
        // 9 GiB of VRAM alone is under 12 GiB "free VRAM" but 1.5 + 9 exceeds the 10 GiB free RAM
        expect(checkFit(estimate(1.5, 9), available).fits).toBe(false);
    });

    it("uses the machine's total when the need exceeds it", () => {
        expect(checkFit(estimate(2, 15), available)).toEqual({ fits: false, reason: "needs ~17 GiB unified memory, more than the machine's 16 GiB" });
    });

    it("reports small shortfalls in MiB", () => {
        const small = { freeRamBytes: 300 * 1024 ** 2, totalRamBytes: 16 * GiB, freeVramBytes: 0, unifiedMemory: true };
        expect(checkFit({ ...estimate(0, 0), totalRamBytes: 512 * 1024 ** 2 }, small)).toEqual({
            fits: false,
            reason: "needs ~512 MiB unified memory, 300 MiB free"
        });
    });
});

describe("kvCacheProblems", () => {
    it("accepts unquantized caches whatever the head size", () => {
        expect(kvCacheProblems("f16", false, 8, 8)).toEqual([]);
        expect(kvCacheProblems("f32", false, undefined, undefined)).toEqual([]);
    });

    it("accepts a quantized cache with flash attention and a head size its blocks divide", () => {
        expect(kvCacheProblems("q8_0", true, 128, 128)).toEqual([]);
    });

    it("needs flash attention for a quantized cache", () => {
        expect(kvCacheProblems("q4_0", false, 128, 128)).toEqual([
            "kvType `q4_0` needs flashAttention: true (llama.cpp refuses a quantized V cache without it)"
        ]);
    });

    it("names a head size the block size does not divide, K and V apart only when they differ", () => {
        expect(kvCacheProblems("q8_0", true, 8, 8)).toEqual([
            "kvType `q8_0` has blocks of 32, which do not divide this model's head size 8; use f16"
        ]);
        expect(kvCacheProblems("q8_0", true, 192, 48)).toEqual([
            "kvType `q8_0` has blocks of 32, which do not divide this model's V head size 48; use f16"
        ]);
    });
});
