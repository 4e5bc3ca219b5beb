import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLONE_GENERATOR_VERSION, ensureClone, planClone, writeClone } from "../../runner/models/synthetic/clone.ts";
import { readLikeHeader } from "../../runner/models/synthetic/cloneSource.ts";
import { GgmlTypeId } from "../../runner/models/gguf/ggmlTypes.ts";
import { readGgufHeader } from "../../runner/models/gguf/ggufHeader.ts";
import { ggufHeaderBytes } from "../../runner/models/gguf/ggufWriter.ts";
import { fileSource } from "../../runner/models/hub/hubHeader.ts";
import { retypeTensors } from "../../runner/models/synthetic/retype.ts";
import { archHeader, writeHeaderFile, type ArchLayout, type ArchShape } from "./fixtures/archHeaders.ts";

let dir: string;
beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-clone-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const hub = () => ({ endpoint: "http://127.0.0.1:9", cacheDir: dir });
const sha256 = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");
const tiny = (layout: ArchLayout, more: Partial<ArchShape> = {}): ArchShape =>
    ({ layout, dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, tied: layout === "gemma3", ...more });

/** The original header of `shape`, read back from a header-only file as a clone reads it. */
async function original(shape: ArchShape, name: string) {
    const file = path.join(dir, `${name}.gguf`);
    await writeHeaderFile(file, shape);
    return readLikeHeader({ path: file }, hub());
}

describe("a clone keeps everything of the original but the weights", () => {
    test.each(["llama", "qwen2", "gemma3", "llama-moe"] as const)("%s: architecture, every key, every tensor's name, shape and type, and its size", async (layout) => {
        const source = await original(tiny(layout, { matrixType: GgmlTypeId.Q4_K }), `keep-${layout}`);
        const file = await ensureClone(source, { source: `${layout}.gguf`, seed: 1 }, { cacheDir: dir });
        const clone = await readGgufHeader(fileSource(file));

        expect(clone.metadata["general.architecture"]!.value).toBe(layout === "llama-moe" ? "llama" : layout);
        for (const [key, entry] of Object.entries(source.metadata)) expect(clone.metadata[key], key).toEqual(entry);
        expect(Object.keys(clone.metadata).filter((key) => !(key in source.metadata))).toEqual([
            "gguf_bench.synthetic.clone_of", "gguf_bench.synthetic.clone_of_sha256", "gguf_bench.synthetic.seed", "gguf_bench.synthetic.generator_version"
        ]);
        expect(clone.metadata["gguf_bench.synthetic.clone_of"]!.value).toBe(`${layout}.gguf`);
        expect(clone.metadata["gguf_bench.synthetic.clone_of_sha256"]!.value).toBe(source.sha256);
        expect(clone.tensors.map(({ name, shape, type }) => ({ name, shape, type }))).toEqual(source.tensors.map(({ name, shape, type }) => ({ name, shape, type })));
        expect((await stat(file)).size).toBe(planClone(source, { source: `${layout}.gguf`, seed: 1 }).sizeBytes);
    });

    test("the alignment of the original (64 here) is kept for the header and every tensor", async () => {
        const source = await original(tiny("llama", { alignment: 64, dim: 320, ffn: 352, heads: 5, kvHeads: 5, matrixType: GgmlTypeId.Q8_0 }), "aligned");
        const file = await ensureClone(source, { source: "aligned.gguf", seed: 1 }, { cacheDir: dir });
        const clone = await readGgufHeader(fileSource(file));
        expect(clone.alignment).toBe(64);
        expect(clone.dataOffset % 64).toBe(0);
        expect(clone.tensors.every((tensor) => tensor.offset % 64 === 0)).toBe(true);
    });

    test("re-typed: the types llama-quantize would give, its tensor order, general.file_type and quantization_version", async () => {
        const source = await original(tiny("qwen2"), "retyped");
        const file = await ensureClone(source, { source: "retyped.gguf", fileType: "Q4_K_M", seed: 1 }, { cacheDir: dir });
        const clone = await readGgufHeader(fileSource(file));
        const expected = retypeTensors(source.metadata, source.tensors, "Q4_K_M");
        expect(clone.tensors.map(({ name, type }) => ({ name, type }))).toEqual(expected.map(({ name, type }) => ({ name, type })));
        expect(clone.tensors.map((t) => t.type)).toContain(GgmlTypeId.Q6_K);
        expect(clone.metadata["general.file_type"]!.value).toBe(15);
        expect(clone.metadata["general.quantization_version"]!.value).toBe(2);
        expect(path.basename(file)).toBe(`${source.sha256.slice(0, 16)}-q4_k_m-s1-g${CLONE_GENERATOR_VERSION}.gguf`);
    });

    test("a tensor type gguf-bench cannot write is refused by name before anything is written", async () => {
        const source = await original(tiny("llama"), "unwritable");
        const nvfp4 = { ...source, tensors: source.tensors.map((t) => (t.name === "blk.0.attn_q.weight" ? { ...t, type: 40 } : t)) };
        expect(() => planClone(nvfp4, { source: "m.gguf", seed: 1 })).toThrow(/m\.gguf: tensor blk\.0\.attn_q\.weight is NVFP4, a type gguf-bench cannot write/);
    });
});

describe("writing", () => {
    test("deterministic by seed: the same seed gives the same bytes, another seed other weights", async () => {
        const source = await original(tiny("llama", { matrixType: GgmlTypeId.Q6_K }), "seeded");
        const plan = planClone(source, { source: "s", seed: 5 });
        const a = path.join(dir, "a.gguf");
        const b = path.join(dir, "b.gguf");
        await writeClone(plan, 5, a);
        await writeClone(plan, 5, b);
        expect(await sha256(a)).toBe(await sha256(b));
        const other = planClone(source, { source: "s", seed: 6 });
        await writeClone(other, 6, b);
        const [bytesA, bytesB] = [await readFile(a), await readFile(b)];
        const dataOffset = (await readGgufHeader(fileSource(a))).dataOffset;
        expect(bytesB.subarray(dataOffset).equals(bytesA.subarray(dataOffset))).toBe(false);
    });

    test("streamed: a 16 MiB tensor is written in pieces of at most 4 MiB, with progress up to the file's size", async () => {
        const { metadata } = archHeader(tiny("llama"));
        const tensors = [{ name: "big.weight", shape: [4096, 1024], type: GgmlTypeId.F32 }];
        const file = path.join(dir, "big.gguf");
        await writeFile(file, ggufHeaderBytes(metadata, tensors).header);
        const plan = planClone(await readLikeHeader({ path: file }, hub()), { source: "big", seed: 1 });
        const steps: number[] = [];
        await writeClone(plan, 1, path.join(dir, "big-clone.gguf"), (written, total) => {
            steps.push(written);
            expect(total).toBe(plan.sizeBytes);
        });
        const pieces = steps.map((written, i) => written - (steps[i - 1] ?? 0));
        expect(Math.max(...pieces.slice(1))).toBeLessThanOrEqual(4 * 1024 * 1024);
        expect(pieces.length).toBeGreaterThanOrEqual(4);
        expect(steps.at(-1)).toBe(plan.sizeBytes);
    });

    test("cached by (header, file type, seed): a second run writes nothing", async () => {
        const source = await original(tiny("gemma3"), "cached");
        let writes = 0;
        const first = await ensureClone(source, { source: "c", fileType: "Q8_0", seed: 2 }, { cacheDir: dir, onProgress: () => writes++ });
        expect(writes).toBeGreaterThan(0);
        const mtime = (await stat(first)).mtimeMs;
        writes = 0;
        const second = await ensureClone(source, { source: "c", fileType: "Q8_0", seed: 2 }, { cacheDir: dir, onProgress: () => writes++ });
        expect(second).toBe(first);
        expect(writes).toBe(0);
        expect((await stat(second)).mtimeMs).toBe(mtime);
        const otherSeed = await ensureClone(source, { source: "c", fileType: "Q8_0", seed: 3 }, { cacheDir: dir });
        expect(otherSeed).not.toBe(first);
    });

    test("refuses with a clear error when the disk lacks the space, and leaves nothing behind", async () => {
        const source = await original(tiny("llama"), "full");
        const cacheDir = path.join(dir, "full-disk");
        const size = planClone(source, { source: "full.gguf", fileType: "F16", seed: 1 }).sizeBytes;
        const attempt = ensureClone(source, { source: "full.gguf", fileType: "F16", seed: 1 }, { cacheDir, freeBytes: async () => 1024 * 1024 });
        await expect(attempt).rejects.toThrow(new RegExp(`^not enough disk space for the clone of full\\.gguf as F16: it takes ${(size / 1024 / 1024).toFixed(1)} MiB in .*full-disk/clones and 1\\.0 MiB are free; free some space or point GGUF_BENCH_CACHE at a larger disk$`));
        expect(await readdir(path.join(cacheDir, "clones"))).toEqual([]);
        // with room to spare it writes
        await ensureClone(source, { source: "full.gguf", fileType: "F16", seed: 1 }, { cacheDir, freeBytes: async () => 10 * size + 1e9 });
        expect(await readdir(path.join(cacheDir, "clones"))).toHaveLength(1);
    });
});
