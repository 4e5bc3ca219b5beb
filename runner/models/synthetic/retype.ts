/**
 * The tensor types llama-quantize gives a model for a file type, without an importance matrix or overrides: our own
 * rendering of `llama_tensor_get_type` and what it calls in src/llama-quant.cpp of the llama.cpp release
 * node-llama-cpp ships. Checked tensor for tensor against files the real llama-quantize made
 * (test/standalone/retype.test.ts).
 *
 * In short: only 2-D and 3-D tensors whose names end in `weight` change type, never norms, expert routers, position
 * embeddings and a few small special tensors; the output matrix (or the token embedding when it doubles as the
 * output) gets Q6_K in most mixes; the _S/_M/_L mixes give attn_v, ffn_down and attn_output more bits in some
 * layers; a row length that does not fill the type's blocks falls back to a smaller block type, or to F16.
 */
import type { GgmlTypeName } from "../gguf/ggmlTypes.ts";
import { GgmlTypeId, blockElements } from "../gguf/ggmlTypes.ts";
import type { GgufMetadataEntry } from "../gguf/ggufWriter.ts";
import { defaultTensorType, type FileTypeName } from "../gguf/fileTypes.ts";

export interface TypedTensor {
    name: string;
    shape: readonly number[];
    type: number;
}

/** What the rules read from the header (`llama_hparams` and the model type, as llama.cpp loads them). */
interface Model {
    arch: string;
    layers: number;
    experts: number;
    /** `n_head / n_head_kv` of the first layer. */
    gqa: number;
    /** llama.cpp classes the model as `LLM_TYPE_70B`. */
    is70B: boolean;
    /** No `output.weight`: the token embedding is also the output matrix. */
    tiedEmbeddings: boolean;
}

/**
 * `tensors` re-typed to `fileType`, in the order llama-quantize writes them (`weights_map`: tensors outside blocks
 * first, then by block number, each group by name).
 */
export function retypeTensors<T extends TypedTensor>(metadata: Record<string, GgufMetadataEntry>, tensors: readonly T[], fileType: FileTypeName): T[] {
    const ordered = [...tensors].sort(compareWeightNames);
    const model = modelOf(metadata, ordered);
    const state = { iAttnV: 0, nAttnV: ordered.filter((t) => isAttnV(category(t.name))).length, iFfnDown: 0, iFfnGate: 0, iFfnUp: 0 };
    const base = defaultTensorType(fileType);
    return ordered.map((tensor) => {
        if (!allowsQuantization(tensor)) return tensor;
        if (!isQuantized(base)) return { ...tensor, type: GgmlTypeId[base] };
        const chosen = chooseType(model, state, tensor, fileType, base);
        return { ...tensor, type: GgmlTypeId[fallback(tensor, chosen)] };
    });
}

/** `weight_name_comparer`: the block number first (-1 outside blocks), then the name. */
export function compareWeightNames(a: { name: string }, b: { name: string }): number {
    const layer = (name: string) => Number(/^blk\.(\d+)\./.exec(name)?.[1] ?? -1);
    const la = layer(a.name);
    const lb = layer(b.name);
    if (la !== lb) return la - lb;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function modelOf(metadata: Record<string, GgufMetadataEntry>, tensors: readonly TypedTensor[]): Model {
    const arch = String(metadata["general.architecture"]?.value ?? "");
    const first = (key: string): number | undefined => {
        const value = metadata[`${arch}.${key}`]?.value;
        return value == null ? undefined : Number(Array.isArray(value) ? value[0] : value);
    };
    const layers = first("block_count") ?? 0;
    const heads = first("attention.head_count") ?? 0;
    const kvHeads = first("attention.head_count_kv") ?? heads;
    const seventyB: Record<string, number> = { llama: 80, qwen2: 80, deci: 80, olmo: 80, jais2: 68 };
    return {
        arch,
        layers,
        experts: first("expert_count") ?? 0,
        gqa: kvHeads === 0 ? 0 : Math.floor(heads / kvHeads),
        is70B: seventyB[arch] === layers && (arch !== "llama" || heads !== kvHeads),
        tiedEmbeddings: !tensors.some((t) => t.name === "output.weight")
    };
}

type Category = "token_embd" | "attn_q" | "attn_v" | "attn_k" | "attn_qkv" | "attn_kv_b" | "attn_output" | "ffn_up" | "ffn_gate" | "ffn_down" | "output" | "other";

/** `tensor_get_category`: broad roles by name, checked in this order. */
function category(name: string): Category {
    if (name === "output.weight") return "output";
    if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "token_embd";
    const roles = ["attn_qkv", "attn_kv_b", "attn_v", "attn_k", "attn_q", "attn_output"] as const;
    for (const role of roles) if (name.includes(`${role}.weight`)) return role;
    for (const role of ["ffn_up", "ffn_gate", "ffn_down"] as const) if (name.includes(role)) return role;
    return "other";
}

const isAttnV = (c: Category): boolean => c === "attn_v" || c === "attn_qkv" || c === "attn_kv_b";

/** Name parts that keep a tensor's type (`tensor_allows_quantization`). */
const keepTypeParts = [
    "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
    "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight",
    "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
    "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
    "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
    ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
    "a.rvq.codebook", "mm.a.code_embd"
];

function allowsQuantization(tensor: TypedTensor): boolean {
    // ggml_n_dims: trailing dimensions of 1 do not count
    let dims = tensor.shape.length;
    while (dims > 1 && tensor.shape[dims - 1] === 1) dims--;
    if (dims < 2) return false;
    const name = tensor.name;
    return name.endsWith("weight") && !keepTypeParts.some((part) => name.includes(part))
        && name !== "position_embd.weight" && name !== "token_types.weight";
}

const isQuantized = (type: GgmlTypeName): boolean => !["F32", "F16", "BF16", "F64", "I8", "I16", "I32", "I64"].includes(type);

/** `use_more_bits`: the first and last eighth of the layers, and every third one between. */
const moreBits = (i: number, n: number): boolean => i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;

interface Counters { iAttnV: number; nAttnV: number; iFfnDown: number; iFfnGate: number; iFfnUp: number }

/** `llama_tensor_get_type_impl`. */
function chooseType(m: Model, s: Counters, tensor: TypedTensor, ft: FileTypeName, base: GgmlTypeName): GgmlTypeName {
    const cat = category(tensor.name);
    const is = (...names: FileTypeName[]): boolean => names.includes(ft);
    const layerOf = (counter: number): [number, number] => {
        if (m.experts <= 1) return [counter, m.layers];
        const layer = Number(/^blk\.(\d+)\./.exec(tensor.name)?.[1] ?? NaN);
        if (!(layer >= 0 && layer < m.layers)) throw new Error(`cannot tell the layer of tensor ${tensor.name}`);
        return [layer, m.layers];
    };
    const q8 = Math.trunc;
    let type: GgmlTypeName = base;

    if (cat === "output" || (m.tiedEmbeddings && cat === "token_embd")) {
        if (is("MXFP4_MOE")) type = "Q8_0";
        else if (m.arch === "falcon" || tensor.shape[0]! % blockElements(GgmlTypeId[base]) !== 0) type = "Q8_0";
        else if (is("IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M")) type = "Q5_K";
        else if (type !== "Q8_0") type = "Q6_K";
    } else if (is("MXFP4_MOE")) {
        const bailingExpert = m.arch === "bailingmoe3" && (cat === "ffn_up" || cat === "ffn_gate" || cat === "ffn_down");
        type = (tensor.shape[2] ?? 1) > 1 && (m.arch !== "bailingmoe3" || bailingExpert) ? "MXFP4" : "Q8_0";
    } else if (cat === "token_embd") {
        if (is("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M")) type = "Q2_K";
        else if (is("IQ2_S", "IQ2_M", "IQ3_XXS")) type = "IQ3_S";
        else if (is("TQ1_0", "TQ2_0")) type = "Q4_K";
    } else if (is("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M")) {
        if (isAttnV(cat)) {
            type = m.gqa >= 4 || m.experts >= 4 ? "Q4_K" : is("IQ2_S", "IQ2_M") ? "IQ3_S" : "Q2_K";
            s.iAttnV++;
        } else if (m.experts === 8 && cat === "attn_k") type = "Q4_K";
        else if (cat === "ffn_down") {
            if (s.iFfnDown < q8(m.layers / 8)) type = is("IQ2_S", "IQ2_M") ? "IQ3_S" : "Q2_K";
            s.iFfnDown++;
        } else if (cat === "attn_output") {
            if (m.experts === 8) type = "Q5_K";
            else if (is("IQ1_S", "IQ1_M")) type = "IQ2_XXS";
            else if (is("IQ2_S", "IQ2_M")) type = "IQ3_S";
        }
    } else if (isAttnV(cat)) {
        if (is("Q2_K")) type = m.gqa >= 4 ? "Q4_K" : "Q3_K";
        else if (is("Q2_K_S") && m.gqa >= 4) type = "Q4_K";
        else if (is("IQ3_XXS")) type = m.gqa >= 4 ? "Q4_K" : "IQ3_S"; // no imatrix
        else if (is("IQ3_XS", "IQ3_S") && m.gqa >= 4) type = "Q4_K";
        else if (is("IQ3_M")) type = "Q4_K";
        else if (is("Q3_K_M")) type = s.iAttnV < 2 ? "Q5_K" : "Q4_K";
        else if (is("Q3_K_L")) type = "Q5_K";
        else if (is("IQ4_NL", "IQ4_XS") && m.gqa >= 4) type = "Q5_K";
        else if (is("Q4_K_M", "Q5_K_M") && moreBits(s.iAttnV, s.nAttnV)) type = "Q6_K";
        else if (is("Q4_K_S") && s.iAttnV < 4) type = "Q5_K";
        if (m.is70B && (type === "Q3_K" || type === "Q4_K")) type = "Q5_K";
        if (m.experts === 8) type = "Q8_0";
        s.iAttnV++;
    } else if (cat === "attn_k") {
        if (m.experts === 8) type = "Q8_0";
        else if (is("IQ3_XS")) type = "IQ3_XXS";
        else if (is("IQ3_XXS")) type = "IQ2_S";
    } else if (cat === "attn_q") {
        if (is("IQ3_XS")) type = "IQ3_XXS";
        else if (is("IQ3_XXS")) type = "IQ2_S";
    } else if (cat === "ffn_down") {
        const [i, n] = layerOf(s.iFfnDown);
        const falcon = m.arch === "falcon";
        if (is("Q2_K")) type = "Q3_K";
        else if (is("Q2_K_S")) { if (i < q8(n / 8)) type = "Q4_K"; }
        else if (is("IQ3_XXS")) type = i < q8(n / 8) ? "Q4_K" : "Q3_K"; // no imatrix
        else if (is("Q3_K_M")) type = i < q8(n / 16) ? "Q5_K" : !falcon || moreBits(i, n) ? "Q4_K" : "Q3_K";
        else if (is("IQ3_M") && (i < q8(n / 8) || (m.experts === 8 && moreBits(i, n)))) type = "Q4_K";
        else if (is("Q3_K_L")) type = falcon ? "Q4_K" : "Q5_K";
        else if (is("Q4_K_M")) {
            if (falcon) type = i < q8(n / 16) ? "Q6_K" : moreBits(i, n) ? "Q5_K" : "Q4_K";
            else if (moreBits(i, n)) type = "Q6_K";
        } else if (i < q8(n / 8) && is("IQ4_NL", "IQ4_XS")) type = "Q5_K"; // no imatrix
        else if (is("Q5_K_M") && moreBits(i, n)) type = "Q6_K";
        else if (is("Q4_K_S") && !falcon && i < q8(n / 8)) type = "Q5_K";
        s.iFfnDown++;
    } else if (cat === "attn_output") {
        if (m.arch !== "falcon") {
            if (m.experts === 8) {
                if (is("Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ3_S", "IQ3_M", "IQ4_XS")) type = "Q5_K";
            } else if (is("Q2_K")) type = "Q3_K";
            else if (is("IQ3_XXS")) type = "IQ3_S";
            else if (is("Q3_K_M")) type = "Q4_K";
            else if (is("Q3_K_L")) type = "Q5_K";
            else if (is("IQ3_M")) type = "Q4_K";
        } else if (is("Q3_K_L")) type = "Q4_K";
    } else if (cat === "attn_qkv") {
        if (is("Q3_K_M", "Q3_K_L", "IQ3_M")) type = "Q4_K";
        else if (is("Q4_K_M")) type = "Q5_K";
        else if (is("Q5_K_M")) type = "Q6_K";
    } else if (cat === "ffn_gate" || cat === "ffn_up") {
        const [i, n] = layerOf(cat === "ffn_gate" ? s.iFfnGate : s.iFfnUp);
        if (is("IQ3_XS") && i >= q8(n / 8) && i < q8((7 * n) / 8)) type = "IQ3_XXS";
        if (cat === "ffn_gate") s.iFfnGate++;
        else s.iFfnUp++;
    }
    return type;
}

/** `tensor_type_fallback`: a row length that does not fill whole blocks of `type` gets a type that it does. */
function fallback(tensor: TypedTensor, type: GgmlTypeName): GgmlTypeName {
    const columns = tensor.shape[0]!;
    if (columns % blockElements(GgmlTypeId[type]) === 0) return type;
    const smaller: Partial<Record<GgmlTypeName, GgmlTypeName>> = {
        IQ1_S: "IQ4_NL", IQ1_M: "IQ4_NL", IQ2_XXS: "IQ4_NL", IQ2_XS: "IQ4_NL", IQ2_S: "IQ4_NL", IQ3_XXS: "IQ4_NL", IQ3_S: "IQ4_NL", IQ4_XS: "IQ4_NL",
        Q2_K: "Q4_0", Q3_K: "Q4_0", TQ1_0: "Q4_0", TQ2_0: "Q4_0", Q4_K: "Q5_0", Q5_K: "Q5_1", Q6_K: "Q8_0"
    };
    const next = smaller[type] ?? type; // a 32-element type has nothing smaller: F16 below
    return columns % blockElements(GgmlTypeId[next]) === 0 ? next : "F16";
}
