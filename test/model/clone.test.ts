/**
 * Synthetic clones in llama.cpp: every tensor type gguf-bench writes, in a tiny model of that type, loads (with
 * llama.cpp's own tensor validation) and produces finite logits for 128 generated tokens; clones of four
 * architectures' layouts run; and `bench` runs clones from a suite, from the fake Hub and ad hoc, labelled as such.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getLlama, type Llama, type Token } from "node-llama-cpp";
import { ensureClone } from "../../runner/models/synthetic/clone.ts";
import { readLikeHeader } from "../../runner/models/synthetic/cloneSource.ts";
import type { FileTypeName } from "../../runner/models/gguf/fileTypes.ts";
import { GgmlTypeId } from "../../runner/models/gguf/ggmlTypes.ts";
import { writableTypes } from "../../runner/models/synthetic/randomBlocks.ts";
import { archHeader, writeHeaderFile, type ArchLayout } from "../standalone/fixtures/archHeaders.ts";
import { ggufHeaderBytes } from "../../runner/models/gguf/ggufWriter.ts";
import { startFakeHub, type FakeHub } from "../standalone/fakeHub.ts";
import { killLeftovers, onlyRunFile, runBench, suiteYaml } from "./cliHarness.ts";
import { modelSources } from "../../runner/cli/modelSources.ts";
import { resolveModel } from "../../runner/models/resolve.ts";
import { estimateConfigMemory } from "../../runner/plan/fit.ts";
import { readGgufBuffer } from "../../runner/plan/ggufBuffer.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { formatBytes } from "../../runner/format/bytes.ts";

let dir: string;
let llama: Llama;
beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-clone-model-"));
    llama = await getLlama({ gpu: false });
});
afterAll(async () => {
    killLeftovers();
    await llama?.dispose();
    await rm(dir, { recursive: true, force: true });
});

/** Greedy generation of 128 tokens from BOS; every logit of every step must be finite. Returns the non-finite count. */
async function nonFiniteLogits(modelPath: string): Promise<{ steps: number; nonFinite: number }> {
    const model = await llama.loadModel({ modelPath, checkTensors: true });
    try {
        const context = await model.createContext({ contextSize: 256, threads: 1 });
        const sequence = context.getSequence();
        let next: Token = model.tokens.bos!;
        let nonFinite = 0;
        let steps = 0;
        for (; steps < 128; steps++) {
            const [result] = await sequence.controlledEvaluate([[next, { generateNext: { logits: true, token: true } }]]);
            for (const logit of result!.next!.logits!.values()) if (!Number.isFinite(logit)) nonFinite++;
            next = result!.next!.token!;
        }
        await context.dispose();
        return { steps, nonFinite };
    } finally {
        await model.dispose();
    }
}

async function cloneOf(layout: ArchLayout, name: string, more: { matrixType?: number; fileType?: FileTypeName } = {}): Promise<string> {
    const file = path.join(dir, `${name}.header.gguf`);
    await writeHeaderFile(file, { layout, dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, tied: layout === "gemma3", ...more.matrixType != null ? { matrixType: more.matrixType } : {} });
    const original = await readLikeHeader({ path: file }, { endpoint: "http://127.0.0.1:9", cacheDir: dir });
    return ensureClone(original, { source: name, seed: 1, ...more.fileType != null ? { fileType: more.fileType } : {} }, { cacheDir: dir });
}

// F64 matrices are not computed by llama.cpp's CPU backend (it aborts), integer types are not weights
const weightTypes = writableTypes.filter((name) => name !== "F64" && !/^I\d/.test(name));

describe("every block writer in llama.cpp: a tiny llama whose every matrix has that type", () => {
    test.each(weightTypes)("%s: loads with tensor validation, 128 tokens with finite logits", async (type) => {
        const clone = await cloneOf("llama", `pure-${type}`, { matrixType: GgmlTypeId[type] });
        expect(await nonFiniteLogits(clone)).toEqual({ steps: 128, nonFinite: 0 });
    });
});

describe("clones of four architectures' layouts run in llama.cpp", () => {
    test.each([
        ["llama", undefined], ["qwen2", undefined], ["gemma3", undefined], ["llama-moe", undefined],
        ["llama", "Q4_K_M"], ["qwen2", "Q3_K_M"], ["gemma3", "Q5_K_M"], ["llama-moe", "Q2_K"]
    ] as const)("%s %s", async (layout, fileType) => {
        const clone = await cloneOf(layout, `${layout}-${fileType ?? "as-is"}`, fileType != null ? { fileType } : {});
        expect(await nonFiniteLogits(clone)).toEqual({ steps: 128, nonFinite: 0 });
    });
});

describe("bench runs synthetic clones", () => {
    let hub: FakeHub;
    let headerLength: number;
    beforeAll(async () => {
        const { metadata, tensors } = archHeader({ layout: "qwen2", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, matrixType: GgmlTypeId.F16 });
        // a whole file on the Hub: header, then 8 MiB standing in for weights that must never be fetched
        const header = ggufHeaderBytes(metadata, tensors).header;
        headerLength = header.length;
        const content = Buffer.concat([header, Buffer.alloc(8 << 20, 0xee)]);
        hub = await startFakeHub({ repos: { "acme/Mini-GGUF": { files: [{ path: "mini-f16.gguf", content }] } } });
    });
    afterAll(() => hub.close());

    test("a suite of a local clone and a Hub clone in two file types: labelled, recorded with clonedFrom, no weights downloaded", async () => {
        const like = path.join(dir, "suite-llama.header.gguf");
        await writeHeaderFile(like, { layout: "llama", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, matrixType: GgmlTypeId.Q4_K });
        const suite = path.join(dir, "clones.yaml");
        await writeFile(suite, suiteYaml({
            name: "clones",
            defaults: { repetitions: 1, warmup: 0, context: 256, threads: 1, maxTokens: 8 },
            models: [
                { synthetic: { like: "suite-llama.header.gguf" } },
                { synthetic: { like: "acme/Mini-GGUF/mini-f16.gguf", quants: ["Q4_K_M", "Q8_0"] } }
            ],
            prompts: [{ id: "hi", text: "Say hi." }],
            tests: [{ tg: 8 }]
        }));
        const cache = path.join(dir, "bench-cache");
        const results = path.join(dir, "runs");
        const run = await runBench([suite, "--db", path.join(dir, "bench.db"), "--results", results], { GGUF_BENCH_CACHE: cache, HF_ENDPOINT: hub.endpoint });
        expect(run.code, run.stderr).toBe(0);

        const file = onlyRunFile(results);
        expect(file.configs.map((c) => [c.label, c.status, c.model?.quant, (c.model as { clonedFrom?: string } | null)?.clonedFrom])).toEqual([
            // no general.file_type in that header: the runner names the type most weights have
            ["synthetic clone of suite-llama.header.gguf", "ok", "Q4_K", "suite-llama.header.gguf"],
            ["synthetic clone of acme/Mini-GGUF/mini-f16.gguf Q4_K_M", "ok", "Q4_K_M", "acme/Mini-GGUF/mini-f16.gguf"],
            ["synthetic clone of acme/Mini-GGUF/mini-f16.gguf Q8_0", "ok", "Q8_0", "acme/Mini-GGUF/mini-f16.gguf"]
        ]);
        expect(file.configs.every((c) => c.model?.source === "synthetic")).toBe(true);
        expect(run.stdout).toMatch(/^synthetic clone of acme\/Mini-GGUF\/mini-f16\.gguf Q8_0\s+tg8\s+ok/m);
        expect(run.stderr).toMatch(/^note: 3 config\(s\) ran synthetic models with random weights \(clones of suite-llama\.header\.gguf, acme\/Mini-GGUF\/mini-f16\.gguf\): speed and memory are real, their text output is gibberish$/m);

        const served = hub.requests.filter((r) => r.server === "cdn" && r.method === "GET");
        expect(served.length).toBeGreaterThan(0);
        expect(served.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? ""))).toBe(true);
        const furthest = Math.max(...served.map((r) => Number(/-(\d+)$/.exec(r.range!)![1]) + 1));
        expect(furthest).toBeLessThanOrEqual(headerLength); // the header; the 8 MiB after it never left the Hub
        expect((await readdir(path.join(cache, "clones"))).filter((name) => name.endsWith(".gguf") && !name.includes("header-only"))).toHaveLength(3);
    });

    test("ad hoc --model like:… --quant: a note says the answer is gibberish before it streams", async () => {
        const like = path.join(dir, "adhoc.header.gguf");
        await writeHeaderFile(like, { layout: "gemma3", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, tied: true });
        const run = await runBench(["--model", `like:${like}`, "--quant", "Q6_K", "--prompt", "Hello", "--max-tokens", "8", "--threads", "1",
            "--db", path.join(dir, "adhoc.db"), "--results", path.join(dir, "adhoc-runs")], { GGUF_BENCH_CACHE: path.join(dir, "adhoc-cache") });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toMatch(/^note: synthetic clone of adhoc\.header\.gguf Q6_K has random weights: the answer below is gibberish; its speed and memory are real$/m);
        expect(run.stdout).toMatch(/^synthetic clone of adhoc\.header\.gguf Q6_K\s+prompt\s+ok/m);
    });

    test("--dry-run writes nothing (no cache, no database, no run file) and shows the estimates a real run's files give", async () => {
        const like = path.join(dir, "dry.header.gguf");
        await writeHeaderFile(like, { layout: "llama", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2 });
        const suite = path.join(dir, "dry.yaml");
        await writeFile(suite, suiteYaml({
            name: "dry",
            defaults: { gpu: false, context: 256 },
            models: [
                { synthetic: { preset: "tiny", quant: "Q8_0" } },
                { synthetic: { like: "dry.header.gguf", quants: ["Q4_0"] } },
                { synthetic: { like: "acme/Mini-GGUF/mini-f16.gguf", quants: ["Q4_K_M"] } }
            ],
            tests: [{ pp: 8 }]
        }));
        const cache = path.join(dir, "dry-cache");
        const db = path.join(dir, "dry-db", "bench.db");
        const results = path.join(dir, "dry-runs");
        const before = (await readdir(dir)).sort();
        const run = await runBench([suite, "--dry-run", "--db", db, "--results", results], { GGUF_BENCH_CACHE: cache, HF_ENDPOINT: hub.endpoint });
        expect(run.code, run.stderr).toBe(0);
        // nothing at all: no synthetic model, no clone header, no Hub header, no lock, no database, no run file
        expect((await readdir(dir)).sort()).toEqual(before);
        for (const place of [cache, path.dirname(db), results]) await expect(stat(place)).rejects.toThrow(/ENOENT/);

        // what a real run writes and estimates from (the child's check before loading): the same figures
        const configs = planConfigs(parseSuite(suite));
        expect(configs).toHaveLength(3);
        const sources = modelSources({ readOnly: true, endpoint: hub.endpoint, cacheDir: path.join(dir, "never-written") });
        const realCache = path.join(dir, "dry-real-cache");
        for (const config of configs) {
            const model = await resolveModel(config.model, { cacheDir: realCache, endpoint: hub.endpoint });
            const fromFile = await estimateConfigMemory(model.path, config.params, llama);
            const inMemory = await sources.headerOf(config.model as Parameters<typeof sources.headerOf>[0]);
            expect(inMemory.sizeBytes).toBe(model.sizeBytes);
            const header = typeof inMemory.header === "string" ? inMemory.header : await readGgufBuffer(inMemory.header);
            expect(await estimateConfigMemory(header, config.params, llama)).toEqual(fromFile);
            const row = run.stdout.split("\n").find((line) => line.startsWith(`${config.label}  `));
            expect(row, `a row for ${config.label} in\n${run.stdout}`).toBeDefined();
            // id, model file, size, est. RAM, est. VRAM, est. peak RSS, plan
            const cells = row!.slice(config.label.length).trim().split(/\s{2,}/);
            expect(cells.slice(2, 5)).toEqual([formatBytes(model.sizeBytes), formatBytes(fromFile.totalRamBytes), formatBytes(fromFile.totalVramBytes)]);
            expect(cells[6]).toBe("run");
        }
        await expect(stat(path.join(dir, "never-written"))).rejects.toThrow(/ENOENT/);
    });
});
