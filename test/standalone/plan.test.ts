import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { canonicalJson } from "../../runner/plan/canonicalJson.ts";
import { configId } from "../../runner/plan/configId.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { defaultSettings, type Suite } from "../../runner/suite/types.ts";

let dir: string;
let modelPath: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-plan-"));
    modelPath = path.join(dir, "a", "stories260K.gguf");
    fs.mkdirSync(path.dirname(modelPath));
    fs.writeFileSync(modelPath, Buffer.alloc(1000, 1));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function suite(overrides: Partial<Suite> = {}): Suite {
    return {
        name: "t",
        path: "/suites/t.yaml",
        sha256: "0".repeat(64),
        defaults: { ...defaultSettings },
        models: [{ source: "synthetic", preset: "tiny", quants: ["Q8_0"], seed: 1 }],
        matrix: {},
        prompts: [{ id: "explain", text: "Explain quantum computing.", kind: "chat" }],
        tests: [{ id: "pp512", pp: 512, tg: 0, depth: 0 }],
        ...overrides
    };
}

function ids(s: Suite): string[] {
    return planConfigs(s).map((c) => c.id);
}

describe("planConfigs: expansion", () => {
    it("expands quant lists, then the matrix, models outermost and matrix keys in suite order", () => {
        const configs = planConfigs(suite({
            models: [
                { source: "hf", repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", quants: ["Q4_K_M", "Q8_0"], revision: "main" },
                { source: "path", path: modelPath },
                { source: "synthetic", preset: "tiny", quants: ["Q8_0", "F16"], seed: 1 },
                { source: "hf", repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF", file: "qwen2.5-0.5b-instruct-q4_k_m.gguf", revision: "main" }
            ],
            matrix: { context: [2048, 8192], mode: ["stream", "batch"] }
        }));
        expect(configs).toHaveLength(6 * 4);
        expect(configs.slice(0, 5).map((c) => c.label)).toEqual([
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M ctx=2048 stream",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M ctx=2048 batch",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M ctx=8192 stream",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M ctx=8192 batch",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q8_0 ctx=2048 stream"
        ]);
        expect(configs.map((c) => c.label).filter((_, i) => i % 4 === 0)).toEqual([
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M ctx=2048 stream",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q8_0 ctx=2048 stream",
            "stories260K.gguf ctx=2048 stream",
            "synthetic tiny Q8_0 ctx=2048 stream",
            "synthetic tiny F16 ctx=2048 stream",
            "Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf ctx=2048 stream"
        ]);
        expect(configs[0]!.model).toEqual({ source: "hf", repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", revision: "main", quant: "Q4_K_M" });
        expect(configs[8]!.model).toEqual({ source: "path", path: modelPath });
        expect(configs[12]!.model).toEqual({ source: "synthetic", preset: "tiny", quant: "Q8_0", seed: 1 });
        expect(configs[20]!.model).toEqual({ source: "hf", repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF", revision: "main", file: "qwen2.5-0.5b-instruct-q4_k_m.gguf" });
        expect(new Set(configs.map((c) => c.id)).size).toBe(configs.length);
    });

    it("takes params from defaults overridden by the matrix point, and labels only the swept keys", () => {
        const configs = planConfigs(suite({
            defaults: { ...defaultSettings, context: 4096, batch: 256, threads: 1 },
            matrix: { flashAttention: [true, false], kvType: ["q8_0"], gpuLayers: [0] }
        }));
        expect(configs.map((c) => c.label)).toEqual(["synthetic tiny Q8_0 fa=on kv=q8_0 ngl=0", "synthetic tiny Q8_0 fa=off kv=q8_0 ngl=0"]);
        expect(configs[0]!.params).toEqual({ ...defaultSettings, context: 4096, batch: 256, threads: 1, flashAttention: true, kvType: "q8_0", gpuLayers: 0 });
        expect(configs[1]!.params.flashAttention).toBe(false);
        expect(configs[0]!.prompts).toEqual(suite().prompts);
        expect(configs[0]!.tests).toEqual(suite().tests);
    });

    it("without a matrix gives one config per model ref, labelled by the model alone", () => {
        const configs = planConfigs(suite({ models: [{ source: "synthetic", preset: "small", quants: ["F16"], seed: 3 }] }));
        expect(configs.map((c) => c.label)).toEqual(["synthetic small F16 seed=3"]);
    });

    it("applies a repetitions override to every config, and refuses a bad one", () => {
        const configs = planConfigs(suite({ matrix: { context: [512, 1024] } }), { repetitions: 10 });
        expect(configs.map((c) => c.params.repetitions)).toEqual([10, 10]);
        expect(() => planConfigs(suite(), { repetitions: 0 })).toThrow(InputError);
        expect(() => planConfigs(suite(), { repetitions: 0 })).toThrow("--repetitions: expected an integer >= 1, got `0` (number)");
    });

    it("refuses two configs with the same id, naming both", () => {
        const twice = suite({ models: [{ source: "path", path: modelPath }, { source: "path", path: modelPath }] });
        expect(() => planConfigs(twice)).toThrow(InputError);
        expect(() => planConfigs(twice)).toThrow(/configs `stories260K\.gguf` and `stories260K\.gguf` are the same \(id [0-9a-f]{12}\)/);
    });
});

describe("planConfigs: ids", () => {
    const base = () => suite({ matrix: { context: [2048, 8192] } });

    it("are 12 hex digits and the same for the same input", () => {
        const first = ids(base());
        expect(first.every((id) => /^[0-9a-f]{12}$/.test(id))).toBe(true);
        expect(ids(base())).toEqual(first);
    });

    it("do not change with repetitions, warmup, timeout or the suite's name and path", () => {
        const same = ids(base());
        expect(ids({ ...base(), defaults: { ...defaultSettings, repetitions: 9, warmup: 4, timeout: 5 } })).toEqual(same);
        expect(planConfigs(base(), { repetitions: 7 }).map((c) => c.id)).toEqual(same);
        expect(ids({ ...base(), name: "other", path: "/elsewhere/x.yaml", sha256: "f".repeat(64) })).toEqual(same);
    });

    it("change with any setting that changes the measurement, the model or the workload", () => {
        const before = ids(base());
        const changed = (s: Suite) => ids(s).every((id, i) => id !== before[i]);
        expect(changed({ ...base(), defaults: { ...defaultSettings, batch: 256 } })).toBe(true);
        expect(changed({ ...base(), defaults: { ...defaultSettings, threads: 1 } })).toBe(true);
        expect(changed({ ...base(), models: [{ source: "synthetic", preset: "tiny", quants: ["Q8_0"], seed: 2 }] })).toBe(true);
        expect(changed({ ...base(), prompts: [{ id: "explain", text: "Explain quantum computing!", kind: "chat" }] })).toBe(true);
        expect(changed({ ...base(), prompts: [{ id: "explain", text: "Explain quantum computing.", kind: "completion" }] })).toBe(true);
        expect(changed({ ...base(), tests: [{ id: "pp256", pp: 256, tg: 0, depth: 0 }] })).toBe(true);
        // the matrix value and the same value set as a default give the same config
        const viaDefaults = ids({ ...base(), matrix: {}, defaults: { ...defaultSettings, context: 8192 } });
        expect(viaDefaults).toEqual([before[1]]);
    });

    it("identify a local model by base name and size, so they are stable across folders and machines", () => {
        const moved = path.join(dir, "b", "stories260K.gguf");
        fs.mkdirSync(path.dirname(moved), { recursive: true });
        fs.copyFileSync(modelPath, moved);
        const at = (p: string) => ids(suite({ models: [{ source: "path", path: p }] }));
        expect(at(moved)).toEqual(at(modelPath));
        fs.appendFileSync(moved, "x");
        expect(at(moved)).not.toEqual(at(modelPath));
    });

    it("hash exactly the documented identity", () => {
        const config = planConfigs(suite())[0]!;
        // the default engine is not part of the identity (ids from before the setting stay)
        const { repetitions: _r, warmup: _w, timeout: _t, engine: _e, ...params } = config.params;
        const text = canonicalJson({
            model: { source: "synthetic", preset: "tiny", quant: "Q8_0", seed: 1 },
            params,
            prompts: [{ id: "explain", kind: "chat", sha256: sha256("Explain quantum computing.") }],
            tests: [{ id: "pp512", pp: 512, tg: 0, depth: 0 }]
        });
        expect(config.id).toBe(sha256(text).slice(0, 12));
        expect(configId(config)).toBe(config.id);
    });

    it("keep the ids they had before the engine setting, and differ for engine: local", () => {
        const tg: Suite = {
            name: "s", path: "/x/s.yaml", sha256: "0", defaults: { ...defaultSettings }, matrix: {},
            models: [{ source: "synthetic", preset: "tiny", quants: ["Q8_0"], seed: 1 }], prompts: [], tests: [{ id: "tg16", pp: 0, tg: 16, depth: 0 }]
        };
        // the id this config had at e7da926, before `engine` existed
        expect(ids(tg)).toEqual(["7d7e7e8cb138"]);
        const both = planConfigs({ ...tg, matrix: { engine: ["prebuilt", "local"] } });
        expect(both.map((c) => [c.id, c.label])).toEqual([["7d7e7e8cb138", "synthetic tiny Q8_0 engine=prebuilt"], [expect.not.stringMatching(/^7d7e7e8cb138$/), "synthetic tiny Q8_0 engine=local"]]);
    });
});

describe("planConfigs: filter", () => {
    const wide = () => suite({
        models: [
            { source: "synthetic", preset: "tiny", quants: ["Q8_0", "F16"], seed: 1 },
            { source: "hf", repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", quants: ["Q4_K_M"], revision: "main" }
        ],
        matrix: { mode: ["stream", "batch"] }
    });

    it("keeps configs whose label contains the text, ignoring case", () => {
        expect(planConfigs(wide(), { filter: "qwen" }).map((c) => c.label)).toEqual([
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M stream",
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF Q4_K_M batch"
        ]);
        expect(planConfigs(wide(), { filter: "TINY F16 BATCH" }).map((c) => c.label)).toEqual(["synthetic tiny F16 batch"]);
    });

    it("matches an id or a prefix of one", () => {
        const all = planConfigs(wide());
        const target = all[3]!;
        expect(planConfigs(wide(), { filter: target.id.slice(0, 8).toUpperCase() }).map((c) => c.id)).toContain(target.id);
    });

    it("refuses a filter that matches nothing", () => {
        expect(() => planConfigs(wide(), { filter: "llama" })).toThrow(InputError);
        expect(() => planConfigs(wide(), { filter: "llama" })).toThrow("--filter: expected text found in a config label or id, got `llama` (matches none of the 6 configs of t)");
    });
});

describe("canonicalJson", () => {
    it("sorts keys at every level, keeps array order, drops undefined", () => {
        expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
        expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
    });

    it("refuses numbers JSON cannot hold", () => {
        expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    });
});

function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

describe("planConfigs: synthetic clones", () => {
    it("one config per file type (or one keeping the original's types), labelled with what they clone", () => {
        const hubLike = { repo: "Qwen/Qwen2.5-7B-Instruct-GGUF", revision: "main", file: "qwen2.5-7b-instruct-f16.gguf" };
        const configs = planConfigs(suite({
            models: [
                { source: "synthetic", like: hubLike, quants: ["Q4_K_M", "Q8_0"], seed: 1 },
                { source: "synthetic", like: { path: modelPath }, quants: null, seed: 9 }
            ]
        }));
        expect(configs.map((c) => c.label)).toEqual([
            "synthetic clone of Qwen/Qwen2.5-7B-Instruct-GGUF/qwen2.5-7b-instruct-f16.gguf Q4_K_M",
            "synthetic clone of Qwen/Qwen2.5-7B-Instruct-GGUF/qwen2.5-7b-instruct-f16.gguf Q8_0",
            "synthetic clone of stories260K.gguf seed=9"
        ]);
        expect(configs.map((c) => c.model)).toEqual([
            { source: "synthetic", like: hubLike, quant: "Q4_K_M", seed: 1 },
            { source: "synthetic", like: hubLike, quant: "Q8_0", seed: 1 },
            { source: "synthetic", like: { path: modelPath }, quant: null, seed: 9 }
        ]);
        expect(new Set(configs.map((c) => c.id)).size).toBe(3);
    });

    it("a clone's id names what it clones (a local file by name and size, as a path model), its file type and seed", () => {
        const clone = (seed: number, quant: string | null = "Q4_K_M") =>
            ids(suite({ models: [{ source: "synthetic", like: { path: modelPath }, quants: quant == null ? null : [quant], seed }] }))[0];
        expect(clone(1)).toBe(clone(1));
        expect(clone(2)).not.toBe(clone(1));
        expect(clone(1, "Q8_0")).not.toBe(clone(1));
        expect(clone(1, null)).not.toBe(clone(1));
        const moved = path.join(dir, "moved-clone-source", "stories260K.gguf");
        fs.mkdirSync(path.dirname(moved));
        fs.copyFileSync(modelPath, moved);
        expect(ids(suite({ models: [{ source: "synthetic", like: { path: moved }, quants: ["Q4_K_M"], seed: 1 }] }))[0]).toBe(clone(1));
    });
});
