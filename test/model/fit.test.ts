import { statSync } from "node:fs";
import path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimateConfigMemory } from "../../runner/plan/fit.ts";
import { parallelLevelsFit } from "../../runner/plan/configFit.ts";
import { defaultSettings, type Settings } from "../../runner/suite/types.ts";
import { realModel, syntheticModel } from "./testModels.ts";

// estimates are cheap: the synthetic models always (tiny F32, small Q4_0), and the real ones of ../shared/models too
const models = [
    ...["synthetic-llama-25m-q4_k_m.gguf", "stories260K.gguf"].map(realModel).filter((file) => file != null),
    (await syntheticModel("small")).path,
    (await syntheticModel("tiny")).path
];

const settings = (overrides: Partial<Settings>): Settings => ({ ...defaultSettings, ...overrides });

describe("estimateConfigMemory", () => {
    let llama: Llama;
    beforeAll(async () => {
        llama = await getLlama({ gpu: "auto", build: "never" });
    });
    afterAll(async () => {
        await llama?.dispose();
    });

    describe.each(models)("%s", (modelPath) => {
        it("estimates a context of 4 sequences above one of 1, the weights the same", async () => {
            const one = await estimateConfigMemory(modelPath, settings({ context: 512 }), llama);
            const four = await estimateConfigMemory(modelPath, settings({ context: 512 }), llama, 4);
            expect(four.contextRamBytes + four.contextVramBytes).toBeGreaterThan(one.contextRamBytes + one.contextVramBytes);
            expect(four.modelRamBytes + four.modelVramBytes).toBe(one.modelRamBytes + one.modelVramBytes);
        });

        it("walks parallel levels up as the child does: the largest that fits, then the first that does not and every one above it", async () => {
            const levels = await parallelLevelsFit(modelPath, settings({ context: 512 }), llama, [8, 1, 100_000_000, 2, 8, 200_000_000]);
            expect(levels.largest?.sequences).toBe(8);
            expect(levels.largest?.estimate).toEqual(await estimateConfigMemory(modelPath, settings({ context: 512 }), llama, 8));
            expect(levels.skipped?.levels).toEqual([100_000_000, 200_000_000]);
            expect(levels.skipped?.reason).toMatch(/^100000000 sequences \(the model and a context of 100000000 × 512 cells\) needs ~/);
            expect(await parallelLevelsFit(modelPath, settings({ context: 512 }), llama, [1, 2])).toMatchObject({ largest: { sequences: 2 }, skipped: null });
            // none fits: no largest, every level skipped
            expect(await parallelLevelsFit(modelPath, settings({ context: 512 }), llama, [200_000_000, 100_000_000]))
                .toMatchObject({ largest: null, skipped: { levels: [100_000_000, 200_000_000] } });
        });

        it("estimates more for a 4096-token context than for 512", async () => {
            const small = await estimateConfigMemory(modelPath, settings({ context: 512 }), llama);
            const large = await estimateConfigMemory(modelPath, settings({ context: 4096 }), llama);
            for (const e of [small, large]) {
                expect(e.totalRamBytes).toBe(e.modelRamBytes + e.contextRamBytes + (e.repackRamBytes ?? 0));
                expect(e.totalVramBytes).toBe(e.modelVramBytes + e.contextVramBytes);
            }
            expect(large.contextRamBytes + large.contextVramBytes).toBeGreaterThan(small.contextRamBytes + small.contextVramBytes);
            expect(large.totalRamBytes + large.totalVramBytes).toBeGreaterThan(small.totalRamBytes + small.totalVramBytes);
            // the model's own weights do not depend on the context
            expect(large.modelRamBytes + large.modelVramBytes).toBe(small.modelRamBytes + small.modelVramBytes);
        });

        it("estimates the model's weights within a sane factor of the file size", async () => {
            const fileBytes = statSync(modelPath).size;
            const e = await estimateConfigMemory(modelPath, settings({ context: 512 }), llama);
            const modelBytes = e.modelRamBytes + e.modelVramBytes;
            expect(modelBytes).toBeGreaterThan(fileBytes * 0.5);
            expect(modelBytes).toBeLessThan(fileBytes * 3);
        });

        it("puts nothing on the GPU with gpu: false or gpuLayers: 0", async () => {
            for (const overrides of [{ gpu: false as const }, { gpuLayers: 0 }]) {
                const e = await estimateConfigMemory(modelPath, settings({ context: 512, ...overrides }), llama);
                expect(e.gpuLayers).toBe(0);
                expect(e.totalVramBytes).toBe(0);
                expect(e.modelRamBytes).toBeGreaterThan(0);
            }
        });

        it("offloads every layer for gpuLayers: max where the backend can offload", async () => {
            const e = await estimateConfigMemory(modelPath, settings({ context: 512, gpuLayers: "max" }), llama);
            if (llama.supportsGpuOffloading) {
                expect(e.gpuLayers).toBeGreaterThan(0);
                expect(e.modelVramBytes).toBeGreaterThan(0);
            } else {
                expect(e.gpuLayers).toBe(0);
                expect(e.totalVramBytes).toBe(0);
            }
        });

        it("estimates a smaller context for a q8_0 KV cache than for f16, or says why llama.cpp would refuse it", async () => {
            const f16 = await estimateConfigMemory(modelPath, settings({ context: 4096, flashAttention: true, kvType: "f16" }), llama);
            const q8 = await estimateConfigMemory(modelPath, settings({ context: 4096, flashAttention: true, kvType: "q8_0" }), llama);
            expect(f16.problems).toEqual([]);
            if (path.basename(modelPath) === "stories260K.gguf") {
                // head size 64 / 8 heads = 8: not a multiple of q8_0's 32-element blocks
                expect(q8.problems).toEqual(["kvType `q8_0` has blocks of 32, which do not divide this model's head size 8; use f16"]);
            } else {
                expect(q8.problems).toEqual([]);
                expect(q8.contextRamBytes + q8.contextVramBytes).toBeLessThan(f16.contextRamBytes + f16.contextVramBytes);
            }
        });
    });
});
