import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReferenceError, References, referenceKey } from "../../runner/exec/references.ts";
import { runSuite } from "../../runner/run/runSuite.ts";
import { ensureSyntheticModel } from "../../runner/models/synthetic/synthetic.ts";
import type { ResolvedModel } from "../../runner/models/types.ts";
import { vocabularyMismatch, type Vocabulary } from "../../runner/models/gguf/vocabulary.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { QualityReference, RunRecord } from "../../runner/results.ts";
import { openDatabase } from "../../runner/store/db.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const childEntry = fileURLToPath(new URL("./fixtures/fakeChild.ts", import.meta.url));
let dir: string;
let q8: ResolvedModel;
let f16: ResolvedModel;

beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-references-"));
    const resolved = async (quant: "Q8_0" | "F16"): Promise<ResolvedModel> => {
        const file = await ensureSyntheticModel({ preset: "tiny", quant, seed: 1 }, dir);
        return {
            ref: { source: "synthetic", preset: "tiny", quant, seed: 1 }, source: "synthetic", file: path.basename(file), path: file,
            sha256: (quant === "F16" ? "f1" : "a8").repeat(32), sizeBytes: 1, quant, arch: "llama", parameters: 1
        };
    };
    q8 = await resolved("Q8_0");
    f16 = await resolved("F16");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(id: string, corpusSha = "cc".repeat(32)): Config {
    return {
        id, label: `tiny Q8_0 ${id}`, model: q8.ref, params: { ...defaultSettings, timeout: 10 }, prompts: [], tests: [],
        quality: {
            corpus: "/corpus.txt", text: "text", sha256: corpusSha, context: 64, chunks: null, topK: "auto",
            reference: { name: "F16", model: f16.ref }
        }
    };
}

let resolved = 0;
const references = (cacheDir: string, mode: string) => new References({
    cacheDir, resolveModel: async () => (resolved++, f16), childOptions: { childEntry, env: { FAKE_CHILD_MODE: mode } }
});

describe("references", () => {
    it("are computed once by a child of their own, then read from the cache by every later config and run", async () => {
        const cacheDir = path.join(dir, "cache-1");
        const ready: [QualityReference, boolean][] = [];
        const steps: string[] = [];
        const hooks = { onReady: (info: QualityReference, computed: boolean) => ready.push([info, computed]), onProgress: (p: { step: string }) => steps.push(p.step) };
        const refs = references(cacheDir, "ok");
        resolved = 0;
        const first = await refs.ensure(config("a"), q8, hooks);
        const second = await refs.ensure(config("b"), q8, hooks);
        expect(first).toEqual(second);
        // the reference model is resolved once per run, not once per config (a Hub request, a clone's header read)
        expect(resolved).toBe(1);
        if (first === "interrupted") throw new Error("not interrupted");
        const key = referenceKey(f16.sha256, config("a").quality!, config("a").params);
        expect(first.path).toBe(path.join(cacheDir, `${key}.ref`));
        expect(first.info).toMatchObject({ name: "F16", file: f16.file, sha256: f16.sha256, topK: null, cacheKey: key, computeMs: 7 });
        expect(ready.map(([, computed]) => computed)).toEqual([true]);
        expect(steps).toContain("reference chunk 1/1");

        // a later run: no child at all (one would fail), the file is read
        const later = await references(cacheDir, "fail").ensure(config("c"), q8, hooks);
        expect(later).toEqual(first);
        expect(ready.map(([, computed]) => computed)).toEqual([true, false]);
    });

    it("differ by corpus, context, top K and attention, but not by the config's KV type (the reference keeps f16)", () => {
        const base = config("a");
        const key = (quality: Partial<NonNullable<Config["quality"]>>, params: Partial<Config["params"]> = {}) =>
            referenceKey(f16.sha256, { ...base.quality!, ...quality }, { ...base.params, ...params });
        const k = key({});
        expect(key({ sha256: "dd".repeat(32) })).not.toBe(k);
        expect(key({ context: 128 })).not.toBe(k);
        expect(key({ topK: 32 })).not.toBe(k);
        expect(key({}, { flashAttention: true })).not.toBe(k);
        expect(key({}, { kvType: "q8_0" })).toBe(k);
        expect(referenceKey("ee".repeat(32), base.quality!, base.params)).not.toBe(k);
    });

    it("a reference child that fails becomes a ReferenceError naming the reference, and is not retried for the next config", async () => {
        const refs = references(path.join(dir, "cache-2"), "fail");
        await expect(refs.ensure(config("a"), q8)).rejects.toThrow(ReferenceError);
        await expect(refs.ensure(config("b"), q8)).rejects.toThrow("reference F16: failed: reference model: tensor data is not within the file bounds");
    });

    it("vocabularies must be the same tokens in the same order", () => {
        const vocab: Vocabulary = { model: "llama", size: 3, digest: "x", trainedContext: 4096 };
        const names = { model: "a.gguf", reference: "b.gguf" };
        expect(vocabularyMismatch(vocab, { ...vocab, trainedContext: 2048 }, names)).toBeNull();
        expect(vocabularyMismatch(vocab, { ...vocab, size: 4 }, names)).toMatch(/a\.gguf differs from the reference b\.gguf \(3 tokens against 4\)/);
        expect(vocabularyMismatch(vocab, { ...vocab, digest: "y" }, names)).toMatch(/same number of tokens, but different ones/);
        expect(vocabularyMismatch(vocab, { ...vocab, model: "gpt2" }, names)).toMatch(/tokenizer llama against gpt2/);
    });
});

describe("runSuite with quality references", () => {
    const run = {
        id: "r1", suite: { name: "s", path: "s.yaml", sha256: "ab".repeat(32) }, startedAt: "2026-11-29T00:00:00.000Z",
        finishedAt: null, status: "running", git: { commit: null, dirty: null }, shard: null,
        machine: { os: "linux", arch: "x64", cpu: "Test CPU", cores: 2, memoryBytes: 2 ** 30, node: "v20", nodeLlamaCpp: "3", llamaCpp: "b1", backend: "cpu", gpus: [] }
    } as RunRecord;

    it("hands the config's child its reference, and records a config whose reference failed as failed while the rest run", async () => {
        const store = new Store(openDatabase(":memory:"));
        store.createRun(run);
        const info: QualityReference = { name: "F16", file: "f16.gguf", sha256: "f1".repeat(32), topK: null, cacheKey: "k", cacheBytes: 10, computeMs: 1 };
        const { records } = await runSuite({
            run, configs: [config("a", "aa".repeat(32)), config("b", "bb".repeat(32))], store, resolveModel: async () => q8,
            childOptions: { childEntry, env: { FAKE_CHILD_MODE: "ok" } },
            references: {
                ensure: async (c) => {
                    if (c.id === "a") throw new ReferenceError("the vocabulary of q8.gguf differs from the reference f16.gguf (3 tokens against 4): KLD and same-top-1 compare token ids, so they cannot be computed");
                    return { path: "/cache/k.ref", info };
                }
            }
        });
        expect(records.map((r) => r.status)).toEqual(["failed", "ok"]);
        expect(records[0]!.error).toMatch(/^the vocabulary of q8\.gguf differs/);
        expect(records[1]!.warnings).toContainEqual({ kind: "note", text: "compared with F16 at /cache/k.ref" });
        store.close();
    });
});
