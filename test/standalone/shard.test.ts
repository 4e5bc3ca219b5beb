import { describe, expect, it } from "vitest";
import { planConfigs } from "../../runner/plan/plan.ts";
import { bitsPerWeight, configWork, modelBytesEstimate, parametersFromName, parseShard, shardConfigs } from "../../runner/run/shard.ts";
import { defaultSettings, type Suite } from "../../runner/suite/types.ts";

/** Hub and synthetic models of very different sizes × two contexts × two modes: 24 configs, no file on disk needed. */
const suite: Suite = {
    name: "many",
    path: "/suites/many.yaml",
    sha256: "0".repeat(64),
    defaults: { ...defaultSettings },
    models: [
        { source: "hf", repo: "Qwen/Qwen2.5-7B-Instruct-GGUF", quants: ["Q4_K_M", "Q8_0"], revision: "main" },
        { source: "hf", repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF", file: "qwen2.5-0.5b-instruct-q4_k_m.gguf", revision: "main" },
        { source: "synthetic", preset: "small", quants: ["F16", "Q4_0"], seed: 1 },
        { source: "synthetic", preset: "tiny", quants: ["Q8_0"], seed: 1 }
    ],
    matrix: { context: [2048, 8192], mode: ["stream", "batch"] },
    prompts: [{ id: "explain", text: "Explain.", kind: "chat" }],
    tests: [{ id: "tg128", pp: 0, tg: 128, depth: 0 }]
};
const configs = planConfigs(suite);

describe("bench --shard K/N", () => {
    it("partitions the plan: across K = 1..N every config exactly once, each part in plan order", () => {
        expect(configs).toHaveLength(24);
        for (let n = 1; n <= 30; n++) {
            const parts = Array.from({ length: n }, (_, k) => shardConfigs(configs, { index: k + 1, count: n }));
            const ids = parts.flat().map((c) => c.id);
            expect(ids.length, `N = ${n}`).toBe(configs.length);
            expect(new Set(ids), `N = ${n}`).toEqual(new Set(configs.map((c) => c.id)));
            for (const part of parts) expect(part).toEqual(configs.filter((c) => part.includes(c)));
        }
    });

    it("gives every machine the same parts (a pure function of the suite)", () => {
        const again = planConfigs(structuredClone(suite));
        for (let k = 1; k <= 4; k++)
            expect(shardConfigs(again, { index: k, count: 4 }).map((c) => c.id)).toEqual(shardConfigs(configs, { index: k, count: 4 }).map((c) => c.id));
    });

    it("balances the parts by estimated work: no part exceeds another by more than its largest config", () => {
        for (const n of [2, 3, 4, 5]) {
            const parts = Array.from({ length: n }, (_, k) => shardConfigs(configs, { index: k + 1, count: n }));
            const totals = parts.map((part) => part.reduce((sum, c) => sum + configWork(c), 0));
            const largest = Math.max(...configs.map(configWork));
            expect(Math.max(...totals) - Math.min(...totals), `N = ${n}`).toBeLessThanOrEqual(largest);
        }
        // the four 7B Q8_0 configs (the heaviest) are spread over four parts, not stacked on one
        const heavy = configs.filter((c) => c.label.includes("7B") && c.label.includes("Q8_0")).map((c) => c.id);
        const partsOfHeavy = heavy.map((id) => [1, 2, 3, 4].find((k) => shardConfigs(configs, { index: k, count: 4 }).some((c) => c.id === id)));
        expect(new Set(partsOfHeavy).size).toBe(4);
    });

    it("reads K/N, and refuses anything else", () => {
        expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
        expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
        for (const bad of ["0/4", "5/4", "2", "2/0", "a/b", "-1/3", "1.5/3"]) expect(() => parseShard(bad), bad).toThrow(/--shard: expected K\/N/);
    });
});

describe("the size estimate", () => {
    it("reads a parameter count from names", () => {
        expect(parametersFromName("Qwen/Qwen2.5-1.5B-Instruct-GGUF")).toBe(1.5e9);
        expect(parametersFromName("SmolLM2-360M-Instruct-Q8_0.gguf")).toBe(3.6e8);
        expect(parametersFromName("stories260K.gguf")).toBe(2.6e5);
        expect(parametersFromName("my-model.gguf")).toBe(1e9);
    });

    it("reads bits per weight from a quant or file name", () => {
        expect(bitsPerWeight("Q4_K_M")).toBe(4.5);
        expect(bitsPerWeight("qwen2.5-0.5b-instruct-q8_0.gguf")).toBe(8.5);
        expect(bitsPerWeight("IQ2_XS")).toBe(2.5);
        expect(bitsPerWeight("F16")).toBe(16);
        expect(bitsPerWeight("model-bf16.gguf")).toBe(16);
        expect(bitsPerWeight("F32")).toBe(32);
        expect(bitsPerWeight("model.gguf")).toBe(8);
    });

    it("sizes a synthetic clone by the file it copies, re-typed to its quant when it has one", () => {
        const like = { repo: "Qwen/Qwen2.5-7B-Instruct-GGUF", revision: "main", file: "qwen2.5-7b-instruct-q4_k_m.gguf" };
        expect(modelBytesEstimate({ source: "synthetic", like, quant: null, seed: 1 })).toBe((7e9 * 4.5) / 8);
        expect(modelBytesEstimate({ source: "synthetic", like, quant: "Q8_0", seed: 1 })).toBe((7e9 * 8.5) / 8);
        expect(modelBytesEstimate({ source: "synthetic", like: { path: "/m/SmolLM2-360M-F16.gguf" }, quant: null, seed: 1 })).toBe((3.6e8 * 16) / 8);
    });
});
