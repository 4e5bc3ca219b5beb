import { describe, expect, it } from "vitest";
import { describeEngine, engineDifferences, engineLine, sameEngine, systemInfoFeatures, uvThreadpoolSize } from "../../runner/engine/engineInfo.ts";
import { measureChildEnv } from "../../runner/exec/runChild.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";
import { checkLoadedEngine, engineLlamaOptions, noLocalBuildAdvice, prebuiltMarkerOption } from "../../runner/engine/engineOptions.ts";
import { checkEngines } from "../../runner/engine/checkEngines.ts";
import { InputError } from "../../runner/errors.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { EngineInfo } from "../../runner/results.ts";
import { defaultSettings, type GpuBackend } from "../../runner/suite/types.ts";

describe("systemInfoFeatures: llama.cpp's system-info string", () => {
    it("names each flag set to 1, keeps other values, leaves out flags at 0, names each backend", () => {
        // node-llama-cpp 3.22.1's prebuilt linux-x64 binary on an AVX-512 machine (no OPENMP)
        expect(systemInfoFeatures("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | LLAMAFILE = 1 | REPACK = 1 | "))
            .toEqual(["backend:CPU", "SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "LLAMAFILE", "REPACK"]);
        expect(systemInfoFeatures("CUDA : ARCHS = 890 | USE_GRAPHS = 1 | PEER_MAX_BATCH_SIZE = 128 | CPU : AVX2 = 1 | OPENMP = 1 | KLEIDIAI = 0 |"))
            .toEqual(["backend:CUDA", "ARCHS=890", "USE_GRAPHS", "PEER_MAX_BATCH_SIZE=128", "backend:CPU", "AVX2", "OPENMP"]);
        expect(systemInfoFeatures("Metal : EMBED_LIBRARY = 1 | CPU : NEON = 1 | ARM_FMA = 1 | ACCELERATE = 1 | OPENMP = 0 |"))
            .toEqual(["backend:Metal", "EMBED_LIBRARY", "backend:CPU", "NEON", "ARM_FMA", "ACCELERATE"]);
        expect(systemInfoFeatures("")).toEqual([]);
    });

    it("describes a loaded binary, and two records are the same engine only when build, release and features agree", () => {
        const local = describeEngine({ buildType: "localBuild", llamaCppRelease: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: " CPU : AVX2 = 1 | OPENMP = 1 | " });
        expect(local).toEqual({ build: "localBuild", llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : AVX2 = 1 | OPENMP = 1 |", features: ["backend:CPU", "AVX2", "OPENMP"] });
        expect(engineLine(local)).toBe("localBuild v0.5.0 (AVX2, OPENMP)");
        expect(sameEngine(local, { ...local })).toBe(true);
        expect(sameEngine(local, { ...local, build: "prebuilt" })).toBe(false);
        expect(sameEngine(local, { ...local, features: ["backend:CPU", "AVX2"] })).toBe(false);
        expect(sameEngine(local, { ...local, llamaCpp: { ...local.llamaCpp, release: "b7000" } })).toBe(false);
    });
});

describe("libuv's pool in the measure child", () => {
    it("is one thread unless UV_THREADPOOL_SIZE is set, which is then left as it is", () => {
        expect(measureChildEnv({})).toEqual({ UV_THREADPOOL_SIZE: "1" });
        expect(measureChildEnv({ UV_THREADPOOL_SIZE: "4" })).toEqual({});
        expect(measureChildEnv({ UV_THREADPOOL_SIZE: "" })).toEqual({});
    });

    it("is read as libuv reads the variable", () => {
        expect([undefined, "1", "4", " 8", "16x", "0", "", "abc", "2000", "-3"].map(uvThreadpoolSize)).toEqual([4, 1, 4, 8, 16, 1, 1, 1, 1024, 1024]);
    });

    it("is recorded with the engine, said by compare when it differs, and kept by the run file (absent in older files)", () => {
        const engine = describeEngine({ buildType: "prebuilt", llamaCppRelease: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : AVX2 = 1 |" });
        const one = { ...engine, uvThreadpoolSize: 1 };
        expect(sameEngine(engine, one)).toBe(false);
        expect(engineDifferences(engine, one)).toEqual(["libuv pool threads: 4 (not recorded) → 1"]);
        expect(engineDifferences({ ...engine, uvThreadpoolSize: 4 }, one)).toEqual(["libuv pool threads: 4 → 1"]);
        expect(engineDifferences(one, { ...one })).toEqual([]);
        for (const recorded of [one, engine]) {
            const text = runFileText(toRunFile(makeRun(), [{ ...makeConfig("a"), engine: recorded }]));
            expect(text.includes("uvThreadpoolSize")).toBe(recorded === one);
            const back = parseRunFile(text, "a.json").file;
            expect(back.configs[0]!.engine).toEqual(recorded);
            expect(runFileText(back)).toBe(text);
        }
        const bad = runFileText(toRunFile(makeRun(), [{ ...makeConfig("a"), engine: one }])).replace('"uvThreadpoolSize": 1', '"uvThreadpoolSize": 0');
        expect(() => parseRunFile(bad, "bad.json")).toThrow(/bad\.json: .*uvThreadpoolSize.*expected/);
    });
});

describe("engineLlamaOptions: getLlama options per engine", () => {
    it("local: no prebuilt binary may load; prebuilt: a CMake option no local build has keeps local builds out; neither builds", () => {
        expect(engineLlamaOptions("local")).toEqual({ build: "never", usePrebuiltBinaries: false, skipDownload: true });
        const prebuilt = engineLlamaOptions("prebuilt");
        expect(prebuilt).toMatchObject({ build: "never", usePrebuiltBinaries: true, existingPrebuiltBinaryMustMatchBuildOptions: false, skipDownload: true });
        expect(Object.keys(prebuilt.cmakeOptions ?? {})).toEqual([prebuiltMarkerOption]);
    });

    it("refuses a binary of the other kind", () => {
        expect(() => checkLoadedEngine("prebuilt", "localBuild")).toThrow("engine `prebuilt` was asked, but node-llama-cpp loaded its local build");
        expect(() => checkLoadedEngine("local", "prebuilt")).toThrow("engine `local` was asked, but node-llama-cpp loaded its prebuilt binary");
        expect(() => checkLoadedEngine("local", "localBuild")).not.toThrow();
    });
});

describe("checkEngines: a suite asking for engine: local without a local build", () => {
    const config = (id: string, engine: "prebuilt" | "local", gpu: GpuBackend = "auto"): Config => ({
        id, label: id, model: { source: "synthetic", preset: "tiny", quant: "Q8_0", seed: 1 },
        params: { ...defaultSettings, engine, gpu }, prompts: [], tests: []
    });
    const facts = describeEngine({ buildType: "localBuild", llamaCppRelease: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : OPENMP = 1 |" });

    it("is refused before anything runs, with how to make one", async () => {
        const probed: GpuBackend[] = [];
        const none = async (gpu: GpuBackend): Promise<EngineInfo> => {
            probed.push(gpu);
            throw new InputError(`engine \`local\` with gpu \`${String(gpu)}\`: ${noLocalBuildAdvice}`);
        };
        await expect(checkEngines([config("a", "prebuilt"), config("b", "local")], none)).rejects.toThrow(/npm run engine -- build/);
        expect(probed).toEqual(["auto"]);
    });

    it("probes each backend setting of the local configs once, and none for a prebuilt-only suite", async () => {
        const probed: GpuBackend[] = [];
        const present = async (gpu: GpuBackend) => { probed.push(gpu); return facts; };
        await checkEngines([config("a", "local"), config("b", "local"), config("c", "local", false), config("d", "prebuilt", "cuda")], present);
        expect(probed).toEqual(["auto", false]);
        probed.length = 0;
        await checkEngines([config("a", "prebuilt")], present);
        expect(probed).toEqual([]);
    });
});
