import { describe, expect, it } from "vitest";
import { GgmlType } from "node-llama-cpp";
import { repackBytes } from "../../runner/plan/repack.ts";

describe("repackBytes", () => {
    it("counts a second copy of the Q4_0 and IQ4_NL weights only (18 bytes per 32 weights)", () => {
        expect(repackBytes([
            { dimensions: [4096, 4096], ggmlType: GgmlType.Q4_0 },
            { dimensions: [64n, 32n], ggmlType: GgmlType.IQ4_NL },
            { dimensions: [4096, 4096], ggmlType: GgmlType.Q8_0 },
            { dimensions: [4096], ggmlType: GgmlType.F32 }
        ])).toBe((4096 * 4096 / 32) * 18 + (64 * 32 / 32) * 18);
        expect(repackBytes([{ dimensions: [4096, 4096], ggmlType: GgmlType.F16 }])).toBe(0);
    });
});
