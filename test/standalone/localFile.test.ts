import { copyFile, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { describeLocalModel, fileTypeName, shaCacheFile } from "../../runner/models/localFile.ts";
import { resolveModel } from "../../runner/models/resolve.ts";
import type { ModelRef } from "../../runner/plan/types.ts";

const modelsDir = process.env.GGUF_BENCH_TEST_MODELS ?? path.resolve("../shared/models");
const haveModels = existsSync(path.join(modelsDir, "SHA256SUMS"));

let cacheDir: string;
beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), "gguf-bench-local-"));
});
afterEach(() => rm(cacheDir, { recursive: true, force: true }));

const refOf = (file: string): ModelRef => ({ source: "path", path: file });
const describePath = (file: string) => describeLocalModel(file, { ref: refOf(file), source: "path" }, cacheDir);

async function expectedSha(name: string): Promise<string> {
    const sums = await readFile(path.join(modelsDir, "SHA256SUMS"), "utf8");
    return sums.split("\n").find((line) => line.endsWith(`  ${name}`))!.split(/\s+/)[0]!;
}

describe.skipIf(!haveModels)("describeLocalModel on ../shared/models", () => {
    it.each([
        ["synthetic-llama-25m-q4_k_m.gguf", "Q4_K_M"],
        ["synthetic-llama-25m-q8_0.gguf", "Q8_0"],
        ["synthetic-llama-25m-f16.gguf", "F16"],
        ["synthetic-llama-25m-q2_k.gguf", "Q2_K"]
    ])("%s: quant %s from general.file_type, arch, parameters, sha256", async (name, quant) => {
        const file = path.join(modelsDir, name);
        const model = await describePath(file);
        expect(model).toEqual({
            ref: refOf(file),
            source: "path",
            file: name,
            path: file,
            sha256: await expectedSha(name),
            sizeBytes: (await stat(file)).size,
            quant,
            arch: "llama",
            parameters: 25_565_952 // dim 768, 4 layers, ffn 2048, 512-token vocab: the tensors' element counts
        });
    });

    it("stories260K (no file_type, no tag in its name) is F32, from its tensor types", async () => {
        const model = await describePath(path.join(modelsDir, "stories260K.gguf"));
        expect(model.quant).toBe("F32");
        expect(model.arch).toBe("llama");
        expect(model.parameters).toBe(292_800);
        expect(model.sha256).toBe(await expectedSha("stories260K.gguf"));
    });

    it("hashes a file once: a second call reads the sha256 cache until size or mtime change", async () => {
        const file = path.join(cacheDir, "model.gguf");
        await copyFile(path.join(modelsDir, "stories260K.gguf"), file);
        const real = (await describePath(file)).sha256;

        // plant a different hash for the same path, size and mtime: only a cache read can return it
        const cache = JSON.parse(await readFile(shaCacheFile(cacheDir), "utf8"));
        expect(cache[file].sha256).toBe(real);
        cache[file].sha256 = "f".repeat(64);
        await writeFile(shaCacheFile(cacheDir), JSON.stringify(cache));
        expect((await describePath(file)).sha256).toBe("f".repeat(64));

        // touching the file invalidates the entry
        const later = new Date(Date.now() + 5_000);
        await utimes(file, later, later);
        expect((await describePath(file)).sha256).toBe(real);
    });

    it("takes the quant from the file name when the header has no file_type", async () => {
        const file = path.join(cacheDir, "tiny-model.Q5_K_S.gguf");
        await copyFile(path.join(modelsDir, "stories260K.gguf"), file);
        expect((await describePath(file)).quant).toBe("Q5_K_S");
    });
});

describe("describeLocalModel errors", () => {
    it("rejects a file that is not GGUF with an InputError naming it", async () => {
        const file = path.join(cacheDir, "notes.gguf");
        await writeFile(file, "definitely not a model\n".repeat(100));
        const error = await describePath(file).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message).toContain(`${file} is not a readable GGUF model`);
    });

    it("rejects a missing file with an InputError naming it", async () => {
        const file = path.join(cacheDir, "missing.gguf");
        await expect(describePath(file)).rejects.toThrow(new InputError(`model file not found: ${file}`));
    });
});

describe("fileTypeName", () => {
    it("maps llama.cpp's llama_ftype numbers to quant names", () => {
        expect([0, 1, 2, 7, 10, 12, 15, 17, 18, 19, 30, 32].map(fileTypeName))
            .toEqual(["F32", "F16", "Q4_0", "Q8_0", "Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "IQ2_XXS", "IQ4_XS", "BF16"]);
        expect(fileTypeName(undefined)).toBeUndefined();
        expect(fileTypeName(9999)).toBeUndefined();
    });
});

describe("resolveModel (path, synthetic)", () => {
    it.skipIf(!haveModels)("describes a local path", async () => {
        const file = path.join(modelsDir, "synthetic-llama-25m-q8_0.gguf");
        const model = await resolveModel({ source: "path", path: file }, { cacheDir });
        expect(model).toMatchObject({ source: "path", file: "synthetic-llama-25m-q8_0.gguf", path: file, quant: "Q8_0" });
    });

    it("writes a synthetic model into the cache and describes it", async () => {
        const ref: ModelRef = { source: "synthetic", preset: "tiny", quant: "Q8_0", seed: 42 };
        const model = await resolveModel(ref, { cacheDir });
        expect(model).toMatchObject({ ref, source: "synthetic", quant: "Q8_0", arch: "llama" });
        expect(model.path.startsWith(cacheDir)).toBe(true);
        expect(model.parameters).toBeGreaterThan(500_000);
        expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
        // the same spec gives the same file and hash
        expect((await resolveModel(ref, { cacheDir })).sha256).toBe(model.sha256);
    });
});
