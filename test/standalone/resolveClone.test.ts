import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { modelInfo } from "../../runner/exec/configRecord.ts";
import { GgmlTypeId } from "../../runner/models/gguf/ggmlTypes.ts";
import { HubUnreachableError } from "../../runner/models/hub/hubErrors.ts";
import { cloneHeaderBytes, resolveModel, resolveModelFile, type CloneRef } from "../../runner/models/resolve.ts";
import type { ModelRef } from "../../runner/plan/types.ts";
import type { ConfigRecord } from "../../runner/results.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";
import { writeHeaderFile } from "./fixtures/archHeaders.ts";
import { refusedEndpoint, startFakeHub, type FakeHub } from "./fakeHub.ts";

let dir: string;
let like: string;
let hub: FakeHub;
beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-resolve-clone-"));
    like = path.join(dir, "qwen-mini-f16.gguf");
    await writeHeaderFile(like, { layout: "qwen2", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, matrixType: GgmlTypeId.F16 });
    await writeFile(path.join(dir, "not-a-model.gguf"), "definitely not GGUF".repeat(10));
    hub = await startFakeHub({ repos: { "acme/Empty-GGUF": { files: [] } } });
});
afterAll(async () => {
    await hub.close();
    await rm(dir, { recursive: true, force: true });
});

const clone = (quant: string | null, source: string = like): CloneRef => ({ source: "synthetic", like: { path: source }, quant, seed: 1 });

describe("resolving a synthetic clone", () => {
    test("writes it into the cache and describes it: synthetic, what it clones, the re-typed file type", async () => {
        const progress: string[] = [];
        const model = await resolveModel(clone("Q4_K_M"), { cacheDir: dir, onProgress: (_, __, file, activity) => progress.push(`${activity} ${file}`) });
        expect(model).toMatchObject({ source: "synthetic", clonedFrom: "qwen-mini-f16.gguf", quant: "Q4_K_M", arch: "qwen2" });
        expect(path.dirname(model.path)).toBe(path.join(dir, "clones"));
        expect(model.sizeBytes).toBe((await stat(model.path)).size);
        expect(new Set(progress)).toEqual(new Set(["writing qwen-mini-f16.gguf"]));
        expect(modelInfo(model).clonedFrom).toBe("qwen-mini-f16.gguf");
    });

    test("a dry run gets the clone's header alone, in memory, and the size the clone will have", async () => {
        const untouched = path.join(dir, "dry-cache");
        const header = await cloneHeaderBytes(clone("Q8_0"), { cacheDir: untouched, readOnly: true });
        await expect(stat(untouched)).rejects.toThrow(/ENOENT/);
        const full = await resolveModel(clone("Q8_0"), { cacheDir: dir });
        expect(header.sizeBytes).toBe(full.sizeBytes);
        expect(header.header.length).toBeLessThan(full.sizeBytes / 10);
        // the very bytes the written clone starts with
        expect(Buffer.from(header.header).equals((await readFile(full.path)).subarray(0, header.header.length))).toBe(true);
    });

    test("a file that is not GGUF, or a Hub file that is not there, is bad input found before anything runs", async () => {
        const bad = resolveModelFile(clone(null, path.join(dir, "not-a-model.gguf")), { cacheDir: dir });
        await expect(bad).rejects.toThrow(InputError);
        await expect(bad).rejects.toThrow(/^synthetic clone of not-a-model\.gguf: .*not-a-model\.gguf: not a GGUF model this tool can read \(no GGUF magic\)$/);
        const missing: ModelRef = { source: "synthetic", like: { repo: "acme/Empty-GGUF", revision: "main", file: "x.gguf" }, quant: null, seed: 1 };
        await expect(resolveModelFile(missing, { cacheDir: dir, endpoint: hub.endpoint })).rejects.toThrow(/acme\/Empty-GGUF has no file x\.gguf at main \(404\)/);
        await expect(resolveModelFile(missing, { cacheDir: dir, endpoint: await refusedEndpoint() })).rejects.toThrow(HubUnreachableError);
    });
});

describe("what a clone is labelled with on record", () => {
    test("the run file and the database keep clonedFrom; other models have no such key", async () => {
        const model = modelInfo(await resolveModel(clone(null), { cacheDir: dir }));
        const record = (id: string, withModel: ConfigRecord["model"]): ConfigRecord => ({
            id, label: id, status: "ok", error: null, model: withModel, params: defaultSettings, startMs: 1, loadMs: 1, warmupMs: 1,
            peakRssBytes: 1, vramBytes: null, measurements: [], summary: {}, outputs: {}, rssTimeline: [], warnings: [],
            startedAt: "2025-01-01T00:00:00.000Z", finishedAt: "2025-01-01T00:00:01.000Z"
        });
        const run = {
            id: "r1", suite: { name: "s", path: "/s.yaml", sha256: "0".repeat(64) }, startedAt: "2025-01-01T00:00:00.000Z", finishedAt: null,
            status: "completed" as const, git: { commit: null, dirty: null },
            machine: { os: "linux", arch: "x64", cpu: "c", cores: 2, memoryBytes: 1, node: "v20", nodeLlamaCpp: "3", llamaCpp: "b", backend: "cpu", gpus: [] },
            shard: null
        };
        const plain = { ...model, source: "path" as const };
        delete plain.clonedFrom;
        const configs = [record("clone", model), record("plain", plain)];
        const file = JSON.parse(runFileText(toRunFile(run, configs, { baseDir: dir })));
        expect(file.configs[0].model.clonedFrom).toBe("qwen-mini-f16.gguf");
        expect("clonedFrom" in file.configs[1].model).toBe(false);

        const store = Store.open(":memory:");
        store.createRun(run);
        for (const config of configs) store.saveConfig(run.id, config);
        expect(store.getRun("r1")!.configs.map((c) => c.model?.clonedFrom)).toEqual(["qwen-mini-f16.gguf", undefined]);
        store.close();
    });
});
