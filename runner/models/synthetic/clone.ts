/**
 * A synthetic clone of any GGUF: the original's metadata (architecture, every hyperparameter, tokenizer, chat
 * template), every tensor's name and shape, its alignment, and either every tensor's type or the types
 * llama-quantize would give it for a file type (retype.ts); the weights are random (randomBlocks.ts). Speed and
 * memory of a clone are the original's; its text is gibberish.
 *
 * Written streamed (a bounded chunk of rows at a time), deterministic by seed, and cached in gguf-bench's cache under
 * a name made of (header sha256, file type, seed, generator version), so a second run does not write it again.
 */
import { rename, rm, stat, statfs } from "node:fs/promises";
import path from "node:path";
import { formatBytes } from "../../format/bytes.ts";
import type { CloneOriginal } from "./cloneSource.ts";
import { fileTypeId, type FileTypeName } from "../gguf/fileTypes.ts";
import { elementCount, ggmlTypeName } from "../gguf/ggmlTypes.ts";
import { GGUFValueType, ggufFileSize, ggufHeaderBytes, writeGgufFile, type GgufMetadataEntry, type GgufTensorSpec } from "../gguf/ggufWriter.ts";
import { Random, streamSeed } from "./random.ts";
import { constantTensorBytes, isFloatType, isWritableType, randomTensorBytes } from "./randomBlocks.ts";
import { retypeTensors } from "./retype.ts";
import { makeDir } from "../../makeDir.ts";

/** Bump when the bytes written for a given (header, file type, seed) change, so cached clones are not reused. */
export const CLONE_GENERATOR_VERSION = 1;

export interface CloneSpec {
    /** What the clone copies, as `likeLabel()` names it; written into its metadata. */
    source: string;
    /** File type to re-type every tensor to, as llama-quantize would. Defaults to `undefined` (every tensor keeps its type). */
    fileType?: FileTypeName;
    /** Seed of the random weights (unsigned 32-bit). */
    seed: number;
}

export interface ClonePlan {
    metadata: Record<string, GgufMetadataEntry>;
    tensors: GgufTensorSpec[];
    /** Bytes of the whole file. */
    sizeBytes: number;
    /** File name in the cache's `clones/` folder. */
    fileName: string;
}

export interface EnsureCloneOptions {
    /** gguf-bench's cache (see `benchCacheDir()`); the clone goes into its `clones/` folder. */
    cacheDir: string;
    /** Bytes written so far and the file's size, after every chunk. Defaults to none. */
    onProgress?: (written: number, total: number) => void;
    /** Free bytes on the disk holding a folder. Defaults to `statfs` (tests inject a figure). */
    freeBytes?: (dir: string) => Promise<number>;
}

/** Elements generated per write: bounds memory whatever the tensor's size. */
const CHUNK_ELEMENTS = 1 << 20;

/** Metadata, tensors and size of the clone of `original` per `spec`; throws when a tensor's type cannot be written. */
export function planClone(original: CloneOriginal, spec: CloneSpec): ClonePlan {
    if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff)
        throw new Error(`Expected \`seed\` to be an integer from 0 to 4294967295, got \`${spec.seed}\``);
    const tensors: GgufTensorSpec[] = spec.fileType == null
        ? original.tensors.map(({ name, shape, type }) => ({ name, shape, type }))
        : retypeTensors(original.metadata, original.tensors, spec.fileType).map(({ name, shape, type }) => ({ name, shape, type }));
    const unwritable = tensors.find((tensor) => !isWritableType(tensor.type));
    if (unwritable != null) {
        throw new Error(`${spec.source}: tensor ${unwritable.name} is ${ggmlTypeName(unwritable.type) ?? unwritable.type}, a type gguf-bench cannot write; clone it re-typed (\`quants:\`) instead`);
    }

    const u32 = (value: number): GgufMetadataEntry => ({ type: GGUFValueType.UINT32, value });
    const metadata = { ...original.metadata };
    if (spec.fileType != null) { // as llama-quantize sets them
        metadata["general.quantization_version"] = u32(2);
        metadata["general.file_type"] = u32(fileTypeId(spec.fileType));
    }
    metadata["gguf_bench.synthetic.clone_of"] = { type: GGUFValueType.STRING, value: spec.source };
    metadata["gguf_bench.synthetic.clone_of_sha256"] = { type: GGUFValueType.STRING, value: original.sha256 };
    metadata["gguf_bench.synthetic.seed"] = u32(spec.seed);
    metadata["gguf_bench.synthetic.generator_version"] = u32(CLONE_GENERATOR_VERSION);
    const typeTag = spec.fileType?.toLowerCase() ?? "as-is";
    return {
        metadata,
        tensors,
        sizeBytes: ggufFileSize(metadata, tensors),
        fileName: `${original.sha256.slice(0, 16)}-${typeTag}-s${spec.seed}-g${CLONE_GENERATOR_VERSION}.gguf`
    };
}

/** Write the clone of `plan` to `outPath`; the same plan and seed give the same bytes. */
export async function writeClone(plan: ClonePlan, seed: number, outPath: string, onProgress?: (written: number, total: number) => void): Promise<void> {
    await writeGgufFile(outPath, plan.metadata, plan.tensors, (tensor, index) => tensorChunks(tensor, streamSeed(seed, index)), onProgress);
}

/** Path of the cached clone, written (atomically, after a free-disk check) when it is not there yet. */
export async function ensureClone(original: CloneOriginal, spec: CloneSpec, opts: EnsureCloneOptions): Promise<string> {
    const plan = planClone(original, spec);
    const dir = path.join(opts.cacheDir, "clones");
    const file = path.join(dir, plan.fileName);
    if ((await stat(file).catch(() => undefined))?.size === plan.sizeBytes) return file;

    await makeDir(dir);
    const free = await (opts.freeBytes ?? freeDiskBytes)(dir);
    const needed = plan.sizeBytes + Math.max(64 * 1024 * 1024, plan.sizeBytes / 100); // a margin for everything else on the disk
    if (free < needed) {
        throw new Error(`not enough disk space for the clone of ${spec.source}${spec.fileType != null ? ` as ${spec.fileType}` : ""}: ` +
            `it takes ${formatBytes(plan.sizeBytes)} in ${dir} and ${formatBytes(free)} are free; free some space or point GGUF_BENCH_CACHE at a larger disk`);
    }
    const temp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
        await writeClone(plan, spec.seed, temp, opts.onProgress);
        await rename(temp, file);
    } catch (error) {
        await rm(temp, { force: true });
        throw error;
    }
    return file;
}

/**
 * The clone's header alone (no tensor data), built in memory, and its plan (the size the clone will have): for
 * `--dry-run` estimates, which write nothing (node-llama-cpp's estimates read only the header).
 */
export function cloneHeader(original: CloneOriginal, spec: CloneSpec): { header: Uint8Array; plan: ClonePlan } {
    const plan = planClone(original, spec);
    return { header: ggufHeaderBytes(plan.metadata, plan.tensors).header, plan };
}

/** Bytes an unprivileged process may still write on the disk holding `dir`. */
export async function freeDiskBytes(dir: string): Promise<number> {
    const info = await statfs(dir);
    return info.bavail * info.bsize;
}

/**
 * One tensor's bytes, a bounded chunk of whole rows at a time. 1-D float tensors get fixed values that keep a
 * model sane (norm weights and scales 1, `ssm_a` -1, biases and the rest 0); everything else random weights.
 */
function* tensorChunks(tensor: GgufTensorSpec, seed: number): Generator<Uint8Array> {
    const elements = elementCount(tensor.shape);
    if (tensor.shape.length === 1 && isFloatType(tensor.type)) {
        const name = tensor.name;
        const value = /norm|scale|rope_freqs|ssm_d\b/.test(name) ? 1 : /ssm_a\b/.test(name) ? -1 : 0;
        yield constantTensorBytes(tensor.type, elements, value);
        return;
    }
    const random = new Random(seed);
    const rowLength = tensor.shape[0]!;
    const rows = elements / rowLength;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowLength));
    for (let row = 0; row < rows; row += rowsPerChunk)
        yield randomTensorBytes(tensor.type, Math.min(rowsPerChunk, rows - row) * rowLength, random);
}
