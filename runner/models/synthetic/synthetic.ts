/**
 * Random-weight llama models written from TypeScript, deterministically from (preset, quant, seed): the tool runs
 * with no network and no model files. Shapes come from syntheticPresets.ts, the vocabulary from syntheticVocab.ts.
 */
import { access, rename, rm } from "node:fs/promises";
import path from "node:path";
import { syntheticPresets, type SyntheticPreset, type SyntheticQuant } from "../../suite/syntheticPresets.ts";
import { GgmlType, encodeTensorData } from "../gguf/quantize.ts";
import { GGUFValueType, ggufFileSize, ggufHeaderBytes, writeGgufFile, type GgufMetadataEntry, type GgufTensorSpec } from "../gguf/ggufWriter.ts";
import { SYNTHETIC_CHAT_TEMPLATE, syntheticVocab } from "./syntheticVocab.ts";
import { Random, streamSeed } from "./random.ts";
import { makeDir } from "../../makeDir.ts";

/** Bump when the bytes written for a given spec change, so cached files are not reused. */
export const GENERATOR_VERSION = 1;

export interface SyntheticModelSpec {
    preset: SyntheticPreset;
    quant: SyntheticQuant;
    /** Unsigned 32-bit integer. */
    seed: number;
}

/** Standard deviation of the random weights: small, so activations stay finite through any depth. */
const WEIGHT_STD = 0.02;
/** Elements generated and encoded per write: bounds memory whatever the model size. */
const CHUNK_ELEMENTS = 1 << 20;

const tensorTypes = { F32: GgmlType.F32, F16: GgmlType.F16, Q8_0: GgmlType.Q8_0, Q4_0: GgmlType.Q4_0 } as const;
/** `enum llama_ftype`. */
const fileTypes = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 } as const;

/** Write the model of `spec` to `outPath` (GGUF v3, architecture `llama`); the same spec gives the same bytes. */
export async function writeSyntheticModel(spec: SyntheticModelSpec, outPath: string): Promise<void> {
    validateSpec(spec);
    const tensors = syntheticTensors(spec);
    await writeGgufFile(outPath, syntheticMetadata(spec, tensors), tensors, (tensor, index) =>
        tensorChunks(tensor, streamSeed(spec.seed, index)));
}

/** The name of the model of `spec` in the cache's `synthetic/` folder. */
export function syntheticFileName(spec: SyntheticModelSpec): string {
    return `${spec.preset}-${spec.quant.toLowerCase()}-s${spec.seed}-g${GENERATOR_VERSION}.gguf`;
}

/**
 * The header the model of `spec` would have (its first bytes, up to the tensor data) and the size of the whole
 * file, built in memory: for `--dry-run` estimates, which write nothing.
 */
export function syntheticHeader(spec: SyntheticModelSpec): { header: Uint8Array; sizeBytes: number } {
    validateSpec(spec);
    const tensors = syntheticTensors(spec);
    const metadata = syntheticMetadata(spec, tensors);
    return { header: ggufHeaderBytes(metadata, tensors).header, sizeBytes: ggufFileSize(metadata, tensors) };
}

/** Path of the cached model of `spec` under `cacheDir`, written (atomically) when missing. */
export async function ensureSyntheticModel(spec: SyntheticModelSpec, cacheDir: string): Promise<string> {
    validateSpec(spec);
    const file = path.resolve(cacheDir, "synthetic", syntheticFileName(spec));
    if (await exists(file))
        return file;
    await makeDir(path.dirname(file));
    const temp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
        await writeSyntheticModel(spec, temp);
        await rename(temp, file);
    } catch (error) {
        await rm(temp, { force: true });
        throw error;
    }
    return file;
}

/** Tensor names and ggml shapes (`[row length, rows]`) as llama.cpp's llama loader expects them. */
export function syntheticTensors(spec: SyntheticModelSpec): GgufTensorSpec[] {
    const { dim, layers, ffn, heads, kvHeads } = syntheticPresets[spec.preset];
    const vocab = syntheticVocab().tokens.length;
    const kvDim = (dim / heads) * kvHeads;
    const big = tensorTypes[spec.quant];
    const norm = (name: string): GgufTensorSpec => ({ name, shape: [dim], type: GgmlType.F32 });
    const matrix = (name: string, cols: number, rows: number): GgufTensorSpec => ({ name, shape: [cols, rows], type: big });

    const tensors = [matrix("token_embd.weight", dim, vocab)];
    for (let i = 0; i < layers; i++) {
        tensors.push(
            norm(`blk.${i}.attn_norm.weight`),
            matrix(`blk.${i}.attn_q.weight`, dim, dim),
            matrix(`blk.${i}.attn_k.weight`, dim, kvDim),
            matrix(`blk.${i}.attn_v.weight`, dim, kvDim),
            matrix(`blk.${i}.attn_output.weight`, dim, dim),
            norm(`blk.${i}.ffn_norm.weight`),
            matrix(`blk.${i}.ffn_gate.weight`, dim, ffn),
            matrix(`blk.${i}.ffn_down.weight`, ffn, dim),
            matrix(`blk.${i}.ffn_up.weight`, dim, ffn)
        );
    }
    tensors.push(norm("output_norm.weight"), matrix("output.weight", dim, vocab));
    return tensors;
}

function syntheticMetadata(spec: SyntheticModelSpec, tensors: GgufTensorSpec[]): Record<string, GgufMetadataEntry> {
    const shape = syntheticPresets[spec.preset];
    const vocab = syntheticVocab();
    const u32 = (value: number): GgufMetadataEntry => ({ type: GGUFValueType.UINT32, value });
    const f32 = (value: number): GgufMetadataEntry => ({ type: GGUFValueType.FLOAT32, value });
    const str = (value: string): GgufMetadataEntry => ({ type: GGUFValueType.STRING, value });
    const parameters = tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);

    const metadata: Record<string, GgufMetadataEntry> = {
        "general.architecture": str("llama"),
        "general.name": str(`synthetic-${spec.preset}-${spec.quant.toLowerCase()}`),
        "general.file_type": u32(fileTypes[spec.quant]),
        "general.parameter_count": { type: GGUFValueType.UINT64, value: BigInt(parameters) },
        "gguf_bench.synthetic.seed": u32(spec.seed),
        "gguf_bench.synthetic.generator_version": u32(GENERATOR_VERSION),
        "llama.vocab_size": u32(vocab.tokens.length),
        "llama.context_length": u32(shape.contextLength),
        "llama.embedding_length": u32(shape.dim),
        "llama.block_count": u32(shape.layers),
        "llama.feed_forward_length": u32(shape.ffn),
        "llama.attention.head_count": u32(shape.heads),
        "llama.attention.head_count_kv": u32(shape.kvHeads),
        "llama.rope.dimension_count": u32(shape.dim / shape.heads),
        "llama.rope.freq_base": f32(10000),
        "llama.attention.layer_norm_rms_epsilon": f32(1e-5),
        ...syntheticTokenizerMetadata()
    };
    if (spec.quant === "Q8_0" || spec.quant === "Q4_0")
        metadata["general.quantization_version"] = u32(2);
    return metadata;
}

/** The synthetic vocabulary (syntheticVocab.ts) and chat template as `tokenizer.*` keys. */
export function syntheticTokenizerMetadata(): Record<string, GgufMetadataEntry> {
    const vocab = syntheticVocab();
    const u32 = (value: number): GgufMetadataEntry => ({ type: GGUFValueType.UINT32, value });
    return {
        "tokenizer.ggml.model": { type: GGUFValueType.STRING, value: "llama" },
        "tokenizer.ggml.tokens": { type: GGUFValueType.ARRAY, subType: GGUFValueType.STRING, value: vocab.tokens },
        "tokenizer.ggml.scores": { type: GGUFValueType.ARRAY, subType: GGUFValueType.FLOAT32, value: vocab.scores },
        "tokenizer.ggml.token_type": { type: GGUFValueType.ARRAY, subType: GGUFValueType.INT32, value: vocab.tokenTypes },
        "tokenizer.ggml.unknown_token_id": u32(vocab.unkId),
        "tokenizer.ggml.bos_token_id": u32(vocab.bosId),
        "tokenizer.ggml.eos_token_id": u32(vocab.eosId),
        "tokenizer.ggml.add_bos_token": { type: GGUFValueType.BOOL, value: true },
        "tokenizer.ggml.add_eos_token": { type: GGUFValueType.BOOL, value: false },
        "tokenizer.chat_template": { type: GGUFValueType.STRING, value: SYNTHETIC_CHAT_TEMPLATE }
    };
}

/** A tensor's encoded bytes, generated and encoded a bounded chunk of whole rows at a time. */
function* tensorChunks(tensor: GgufTensorSpec, seed: number): Generator<Uint8Array> {
    const type = tensor.type as GgmlType; // syntheticTensors uses only the four types quantize.ts encodes
    const rowLength = tensor.shape[0]!;
    const rows = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
    if (tensor.shape.length === 1) { // norms: all ones
        yield encodeTensorData(type, new Float32Array(rowLength).fill(1));
        return;
    }
    const random = new Random(seed);
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowLength));
    for (let row = 0; row < rows; row += rowsPerChunk) {
        const values = new Float32Array(Math.min(rowsPerChunk, rows - row) * rowLength);
        random.fillNormal(values, WEIGHT_STD);
        yield encodeTensorData(type, values);
    }
}

function validateSpec(spec: SyntheticModelSpec): void {
    if (typeof spec.preset !== "string" || !Object.hasOwn(syntheticPresets, spec.preset))
        throw new Error(`Expected \`preset\` to be one of ${Object.keys(syntheticPresets).join(", ")}, got \`${spec.preset}\``);
    if (typeof spec.quant !== "string" || !Object.hasOwn(tensorTypes, spec.quant))
        throw new Error(`Expected \`quant\` to be one of ${Object.keys(tensorTypes).join(", ")}, got \`${spec.quant}\``);
    if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff)
        throw new Error(`Expected \`seed\` to be an integer from 0 to 4294967295, got \`${spec.seed}\``);
}

async function exists(file: string): Promise<boolean> {
    return access(file).then(() => true, () => false);
}
