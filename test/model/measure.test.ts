import { readFileSync, statSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { measureConfig, type MeasureProgress } from "../../runner/measure/measureConfig.ts";
import { peakSampledRss } from "../../runner/measure/rssSampler.ts";
import { maxRssSamples } from "../../runner/stats/downsampleRss.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { ChildResult, Measurement } from "../../runner/results.ts";
import { defaultSettings, type BenchTest, type Prompt, type Settings } from "../../runner/suite/types.ts";
import { testModels } from "./testModels.ts";
import { warningText } from "../../runner/warnings.ts";

const models = await testModels();
/** stories260K.gguf, else synthetic tiny F32. */
const stories = models.tiny.path;
/** synthetic-llama-25m-q4_k_m.gguf, else synthetic small Q4_0. */
const q4km = models.small.path;
/** "25M Q4_K_M" (real) or "synthetic small Q4_0". */
const q4kmLabel = models.real ? `25M ${models.small.quant}` : `synthetic small ${models.small.quant}`;

const prompts: Prompt[] = [
    { id: "chat", text: "Tell me a story about a cat.", kind: "chat" },
    { id: "story", text: "Once upon a time, there was a little girl named Lily.", kind: "completion" }
];
const tests: BenchTest[] = [
    { id: "pp64", pp: 64, tg: 0, depth: 0 },
    { id: "tg16", pp: 0, tg: 16, depth: 0 },
    { id: "pp64+tg16", pp: 64, tg: 16, depth: 0 },
    { id: "tg16@d128", pp: 0, tg: 16, depth: 128 }
];
const maxTokens = 32;
const streamPromptMetrics = [
    "promptTokens", "genTokens", "ttftMs", "prefillMs", "prefillTps", "decodeMs", "decodeTps",
    "itlP50Ms", "itlP90Ms", "itlP99Ms", "e2eMs", "enginePrefillTps", "engineDecodeTps"
];

function config(modelPath: string, params: Partial<Settings>, withTests = true): Config {
    return {
        id: "test",
        label: path.basename(modelPath),
        model: { source: "path", path: modelPath },
        params: { ...defaultSettings, context: 512, batch: 512, threads: 1, repetitions: 2, warmup: 1, maxTokens, ...params },
        prompts,
        tests: withTests ? tests : []
    };
}

function expectFinite(measurement: Measurement, names: readonly string[]) {
    for (const name of names) {
        expect(measurement.metrics, `${measurement.prompt} rep ${measurement.rep} ${name}`).toHaveProperty(name);
        expect(Number.isFinite(measurement.metrics[name]), `${measurement.prompt} ${name} = ${measurement.metrics[name]}`).toBe(true);
    }
}

/** The kernel's RSS high-water mark of this process (Linux). */
function vmHwmBytes(): number | undefined {
    if (process.platform !== "linux") return undefined;
    const match = readFileSync("/proc/self/status", "utf8").match(/^VmHWM:\s+(\d+)\s+kB/m);
    return match == null ? undefined : Number(match[1]) * 1024;
}

describe(`measureConfig on ${models.real ? "real" : "synthetic"} models`, () => {
    let streamResult: ChildResult;
    const progress: MeasureProgress[] = [];

    beforeAll(async () => {
        streamResult = await measureConfig(config(stories, { mode: "stream" }), stories, { onProgress: (p) => progress.push(p) });
    });

    test("stream mode: every DESIGN metric present, finite and consistent", () => {
        const promptMeasurements = streamResult.measurements.filter((m) => m.kind === "prompt");
        expect(promptMeasurements.map((m) => `${m.prompt}:${m.rep}`)).toEqual(["chat:0", "chat:1", "story:0", "story:1"]);
        for (const m of promptMeasurements) {
            expectFinite(m, streamPromptMetrics);
            const { genTokens, ttftMs, e2eMs, decodeMs, decodeTps, prefillMs, itlP50Ms, itlP90Ms, itlP99Ms } = m.metrics as Record<string, number>;
            const times = m.tokenTimesMs!;
            expect(genTokens).toBeGreaterThan(1);
            expect(genTokens).toBeLessThanOrEqual(maxTokens);
            expect(times).toHaveLength(genTokens!);
            for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
            expect(ttftMs).toBe(times[0]);
            expect(ttftMs).toBeLessThanOrEqual(e2eMs!);
            expect(prefillMs).toBeLessThanOrEqual(ttftMs!); // llama.cpp's prompt-eval time lies inside the wall-clock ttft
            expect(decodeMs).toBeCloseTo(times.at(-1)! - times[0]!, 9);
            expect(decodeTps).toBeCloseTo(((genTokens! - 1) / decodeMs!) * 1000, 6);
            expect(itlP50Ms).toBeLessThanOrEqual(itlP90Ms!);
            expect(itlP90Ms).toBeLessThanOrEqual(itlP99Ms!);
        }
        // greedy: the same answer every repetition
        for (const id of ["chat", "story"]) {
            const reps = promptMeasurements.filter((m) => m.prompt === id);
            expect(new Set(reps.map((m) => m.metrics.genTokens)).size).toBe(1);
            expect(new Set(reps.map((m) => m.metrics.promptTokens)).size).toBe(1);
        }
        expect(Object.keys(streamResult.outputs).sort()).toEqual(["chat", "story"]);
        if (models.real) {
            // stories260K was trained on children's stories: it continues one in English
            expect(streamResult.outputs.story).toMatch(/\b(the|and|was|she|he|a|to)\b/i);
            expect(streamResult.outputs.chat).toMatch(/[a-z]{2,}/i);
        }
        expect(streamResult.backend).toBe("cpu");
        expect(streamResult.threads).toBe(1);
        expect(streamResult.vramBytes).toBeNull();
        expect(streamResult.loadMs).toBeGreaterThan(0);
    });

    test("llama-bench tests: pp, tg, pg and depth", () => {
        const byId = (id: string) => streamResult.measurements.filter((m) => m.prompt === id);
        for (const m of byId("pp64")) {
            expect(m.kind).toBe("pp");
            expectFinite(m, ["ppMs", "prefillTps", "enginePrefillTps"]);
            expect(m.metrics.promptTokens).toBe(64);
            expect(m.metrics.prefillTps).toBeCloseTo((64 / m.metrics.ppMs!) * 1000, 6);
        }
        for (const m of [...byId("tg16"), ...byId("tg16@d128")]) {
            expect(m.kind).toBe("tg");
            expectFinite(m, ["tgMs", "decodeTps", "engineDecodeTps"]);
            expect(m.metrics.decodeTps).toBeCloseTo((16 / m.metrics.tgMs!) * 1000, 6);
        }
        expect(byId("tg16@d128").every((m) => m.metrics.depth === 128)).toBe(true);
        for (const m of byId("pp64+tg16")) {
            expect(m.kind).toBe("pg");
            expectFinite(m, ["ppMs", "tgMs", "pgMs", "pgTps", "prefillTps", "decodeTps", "enginePrefillTps", "engineDecodeTps"]);
            expect(m.metrics.pgTps).toBeCloseTo((80 / (m.metrics.ppMs! + m.metrics.tgMs!)) * 1000, 6);
        }
        for (const id of tests.map((t) => t.id)) expect(byId(id).map((m) => m.rep)).toEqual([0, 1]);
    });

    test("RSS: ≥ 20 samples per second with the phases seen; peak matches the kernel's high-water mark", () => {
        const timeline = streamResult.rssTimeline;
        const seconds = (timeline.at(-1)!.t - timeline[0]!.t) / 1000;
        // sampled at 40 Hz, recorded at most maxRssSamples (downsampleRss.ts): a long config keeps exactly that many
        expect(timeline.length).toBeGreaterThanOrEqual(Math.min(maxRssSamples, Math.floor(20 * seconds)));
        expect(timeline.length).toBeLessThanOrEqual(maxRssSamples);
        const phases = new Set(timeline.map((s) => s.phase));
        for (const phase of ["load", "prefill", "decode", "unload"] as const) expect(phases).toContain(phase);
        for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.t).toBeGreaterThanOrEqual(timeline[i - 1]!.t);
        expect(peakSampledRss(timeline)).toBeLessThanOrEqual(streamResult.peakRssBytes);
        const hwm = vmHwmBytes();
        if (hwm != null) expect(Math.abs(streamResult.peakRssBytes - hwm) / hwm).toBeLessThanOrEqual(0.03);
        expect(progress.map((p) => p.phase)).toContain("load");
        expect(progress.some((p) => p.tps != null && Number.isFinite(p.tps))).toBe(true);
    });

    test("batch mode: whole answers only, the same greedy text as stream mode", async () => {
        const result = await measureConfig(config(stories, { mode: "batch" }, false), stories, {});
        expect(result.measurements).toHaveLength(4);
        for (const m of result.measurements) {
            expectFinite(m, ["promptTokens", "genTokens", "e2eMs", "e2eTps", "engineDecodeTps"]);
            expect(m.metrics.ttftMs).toBeUndefined();
            expect(m.tokenTimesMs).toBeUndefined();
            expect(m.metrics.e2eTps).toBeCloseTo((m.metrics.genTokens! / m.metrics.e2eMs!) * 1000, 6);
            expect(m.metrics.genTokens).toBeLessThanOrEqual(maxTokens);
        }
        expect(result.outputs).toEqual(streamResult.outputs);
    });

    test("ad-hoc echo streams the last repetition's text and says so", async () => {
        let echoed = "";
        const result = await measureConfig(
            { ...config(stories, { mode: "stream", repetitions: 1, warmup: 0 }, false), prompts: [prompts[1]!] },
            stories,
            { onText: (text) => void (echoed += text) }
        );
        expect(echoed.trim()).toBe(result.outputs.story!.trim());
        expect(result.warnings.some((w) => w.kind === "echoInTimedLoop")).toBe(true);
    });

    test.each([1, 2])(`${q4kmLabel} at threads=%i: stream and tests`, async (threads) => {
        const result = await measureConfig(config(q4km, { mode: "stream", threads }), q4km, {});
        const decode = result.measurements.filter((m) => m.kind === "prompt").map((m) => m.metrics.decodeTps!);
        const engine = result.measurements.filter((m) => m.kind === "prompt").map((m) => m.metrics.engineDecodeTps!);
        const tg = result.measurements.filter((m) => m.prompt === "tg16").map((m) => m.metrics.decodeTps!);
        for (const m of result.measurements.filter((m) => m.kind === "prompt")) expectFinite(m, streamPromptMetrics);
        expect(result.threads).toBe(threads);
        expect(result.threadsBatch).toBe(threads); // threadsBatch: auto follows an explicit threads
        expect(result.warnings.some((w) => w.kind === "threadsOversubscribed" && w.threads === threads)).toBe(threads >= 2);
        console.log(`${q4kmLabel} threads=${threads}: decodeTps ${decode.map((x) => x.toFixed(0)).join(", ")}; ` +
            `engineDecodeTps ${engine.map((x) => x.toFixed(0)).join(", ")}; tg16 ${tg.map((x) => x.toFixed(0)).join(", ")}`);
    });

    test(`${q4kmLabel}: batches at threadsBatch=2, single-token decodes at threads=1`, async () => {
        const result = await measureConfig(config(q4km, { mode: "stream", threads: 1, threadsBatch: 2 }), q4km, {});
        expect(result.threads).toBe(1);
        expect(result.threadsBatch).toBe(2);
        // measureConfig reads llama.cpp's thread count after every prompt batch, generation, pp and tg run, and warns
        // when it is not the one asked for: none here means the switch took effect in each phase
        expect(result.warnings.filter((w) => ["threadSplit", "contextThreads", "threadsOversubscribed"].includes(w.kind))).toEqual([]);
        expect(result.measurements.filter((m) => m.kind === "prompt").length).toBe(2 * 2); // two prompts × repetitions: 2
        for (const m of result.measurements.filter((m) => m.kind === "prompt")) expectFinite(m, streamPromptMetrics);
    });

    test("what ran is reported where node-llama-cpp adjusts what was asked: a context of 128 runs as 256, the batch capped to 128", async () => {
        const asked = { context: 128, batch: 512, repetitions: 1, warmup: 0, maxTokens: 8, gpuLayers: "max" as const, flashAttention: false };
        const result = await measureConfig({ ...config(stories, asked), tests: [] }, stories, {});
        // node-llama-cpp pads a context below the model's training context up to a multiple of 256
        expect(result.ran).toEqual({ context: 256, batch: 128, flashAttention: false, kvType: "f16", gpuLayers: 0, gpu: false });
        // the warnings speak of the same context that is recorded
        for (const warning of result.warnings.map(warningText).filter((w) => /context of \d+/.test(w))) expect(warning).toContain("context of 256");
    });

    test("a test that would fill the context is refused: node-llama-cpp keeps one cell free and would shift the context", async () => {
        // node-llama-cpp pads a context to a multiple of 256 cells, so 512 is exactly full for pp512
        const pp512 = [{ id: "pp512", pp: 512, tg: 0, depth: 0 }];
        const full = { ...config(q4km, { context: 512 }), prompts: [], tests: pp512 };
        await expect(measureConfig(full, q4km, {})).rejects.toThrow(
            "test pp512 needs 513 tokens of context (one is the cell node-llama-cpp keeps free), the context holds 512: raise context"
        );
        const roomy = { ...config(q4km, { context: 513, repetitions: 1, warmup: 0 }), prompts: [], tests: pp512 };
        const result = await measureConfig(roomy, q4km, {});
        expect(result.measurements).toHaveLength(1);
        expect(result.measurements[0]!.metrics.prefillTps).toBeGreaterThan(0);
    });

    describe("a truncated model file", () => {
        let dir: string;
        beforeAll(async () => {
            dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-measure-"));
        });
        afterAll(async () => {
            await rm(dir, { recursive: true, force: true });
        });

        test("rejects with llama.cpp's reason", async () => {
            const truncated = path.join(dir, "truncated.gguf");
            // the 25M models (real and synthetic) are larger than the 8 MiB kept, so the cut lies in tensor data
            expect(statSync(q4km).size).toBeGreaterThan(8 * 1024 * 1024 + 1024 * 1024);
            const source = await open(q4km, "r");
            const target = await open(truncated, "w");
            try {
                const half = Buffer.alloc(8 * 1024 * 1024); // header and tensor index intact, tensor data cut
                const { bytesRead } = await source.read(half, 0, half.length, 0);
                await target.write(half, 0, bytesRead);
            } finally {
                await source.close();
                await target.close();
            }
            await expect(measureConfig(config(truncated, {}), truncated, {})).rejects.toThrow(/not within the file bounds|corrupted or incomplete/);
        });
    });
});
