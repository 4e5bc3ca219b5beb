/**
 * Random tensor data in any writable ggml type, fast enough for multi-GB clones: each block is random bytes (every
 * bit pattern of a quant field is a valid quant, and for the IQ types a valid grid index), with the block's scale
 * fields then set to fixed small finite values, so the weights come out small (standard deviation near 0.02,
 * centred where the format has a min) and activations stay finite through any depth. The plain float types draw
 * from a table of 4096 normal values. Block layouts: ggml-common.h; how each scale is decoded: the
 * `dequantize_row_*` functions of ggml-quants.c. The values are not a quantization of anything: speed and memory
 * do not depend on them.
 */
import { GgmlTypeId, blockElements, ggmlBytes, ggmlTypeName, type GgmlTypeName } from "../gguf/ggmlTypes.ts";
import { f32ToF16 } from "../gguf/quantize.ts";
import { Random } from "./random.ts";

/** Standard deviation the weights aim at (as the preset models' WEIGHT_STD). */
const STD = 0.02;

/** Sets a block's fixed fields; `at` is the block's first byte. */
type Patch = (out: Uint8Array, at: number) => void;

const half = (offset: number, value: number): Patch => {
    const bits = f32ToF16(value);
    return (out, at) => {
        out[at + offset] = bits & 0xff;
        out[at + offset + 1] = bits >>> 8;
    };
};
const bytes = (offset: number, values: readonly number[]): Patch => (out, at) => out.set(values, at + offset);
const repeat = (value: number, count: number): number[] => new Array<number>(count).fill(value);

/** Q4_K/Q5_K's 12 bytes of 6-bit scales and mins with every scale and every min equal to 1 (`get_scale_min_k4`). */
const kScalesOfOne = [...repeat(1, 8), ...repeat(0x11, 4)];
/** Q3_K's 12 bytes of 6-bit scales all equal to 33, which decode as 33 - 32 = 1. */
const q3ScalesOfOne = [...repeat(0x11, 8), ...repeat(0xaa, 4)];

/** Fixed fields per block type, with `d` chosen from the spread of the type's quant values so weights have std ≈ STD. */
const blockPatches = {
    Q4_0: [half(0, STD / 4.61)], // (q - 8), q in 0..15
    Q4_1: [half(0, STD / 4.61), half(2, -7.5 * STD / 4.61)], // d·q + m, centred
    Q5_0: [half(0, STD / 9.23)], // (q - 16), q in 0..31
    Q5_1: [half(0, STD / 9.23), half(2, -15.5 * STD / 9.23)],
    Q8_0: [half(0, STD / 73.9)], // int8
    Q2_K: [bytes(0, repeat(0x11, 16)), half(80, STD / 1.118), half(82, 1.5 * STD / 1.118)], // d·1·q - dmin·1, q in 0..3
    Q3_K: [bytes(96, q3ScalesOfOne), half(108, STD / 2.29)], // q in -4..3
    Q4_K: [half(0, STD / 4.61), half(2, 7.5 * STD / 4.61), bytes(4, kScalesOfOne)],
    Q5_K: [half(0, STD / 9.23), half(2, 15.5 * STD / 9.23), bytes(4, kScalesOfOne)],
    Q6_K: [bytes(192, repeat(1, 16)), half(208, STD / 18.47)], // (q - 32), q in 0..63, int8 scales of 1
    IQ4_NL: [half(0, STD / 67.4)], // kvalues_iq4nl, rms 67.4
    IQ4_XS: [half(0, STD / 67.4), bytes(2, [0xaa, 0xaa, 0x11, 0x11, 0x11, 0x11])], // every 6-bit scale 33 → 1
    IQ2_XXS: [half(0, STD / 50)], // grid values 8..43 times (0.5 + 4-bit scale) / 4
    IQ2_XS: [half(0, STD / 50)],
    IQ2_S: [half(0, STD / 50)],
    IQ3_XXS: [half(0, STD / 120)], // grid values 4..62 times (0.5 + 4-bit scale) / 2
    IQ3_S: [half(0, STD / 128)], // grid values 1..15 times (1 + 2·4-bit scale)
    IQ1_S: [half(0, STD / 8)], // ±1 (+ delta) times (2·3-bit scale + 1)
    IQ1_M: [iq1mScale(STD / 8)],
    TQ1_0: [half(52, STD / 0.8)], // ternary
    TQ2_0: [half(64, STD / 0.8)],
    MXFP4: [bytes(0, [120])] // E8M0 exponent: kvalues_mxfp4 (up to ±12) times 2^(120 - 128)
} as const satisfies Partial<Record<GgmlTypeName, readonly Patch[]>>;

/** IQ1_M has no `d` field: its f16 scale is spread over the top nibbles of the four 16-bit block scales at byte 48. */
function iq1mScale(value: number): Patch {
    const bits = f32ToF16(value);
    return (out, at) => {
        for (let i = 0; i < 4; i++) {
            const high = at + 48 + 2 * i + 1; // little-endian: the top nibble lives in the second byte
            out[high] = (out[high]! & 0x0f) | (((bits >>> (4 * i)) & 0xf) << 4);
        }
    };
}

type BlockType = keyof typeof blockPatches;
const plainTypes = ["F32", "F16", "BF16", "F64", "I8", "I16", "I32", "I64"] as const;

/** Types this module writes: the block formats above, the float types from a normal table, integer types as zeros. */
export const writableTypes: readonly GgmlTypeName[] = [...plainTypes, ...Object.keys(blockPatches) as BlockType[]];

export function isWritableType(id: number): boolean {
    const name = ggmlTypeName(id);
    return name != null && writableTypes.includes(name);
}

/**
 * `elements` random values of ggml type `id` (whole blocks), drawn from `random`. 1-D tensors that must hold
 * particular values (norms) are the caller's business: this is for weight matrices.
 */
export function randomTensorBytes(id: number, elements: number, random: Random): Uint8Array {
    const name = ggmlTypeName(id);
    const out = new Uint8Array(ggmlBytes(id, elements));
    if (name == null || !writableTypes.includes(name)) throw new Error(`cannot write ggml type ${name ?? id}`);
    switch (name) {
        case "I8": case "I16": case "I32": case "I64":
            return out; // ids and indices: zeros are always in range
        case "F32": case "F16": case "BF16": case "F64":
            fillFromTable(out, name, random);
            return out;
    }
    random.fillBytes(out);
    const patches: readonly Patch[] = blockPatches[name as BlockType];
    const blockBytes = out.length / (elements / blockElements(id));
    for (let at = 0; at < out.length; at += blockBytes)
        for (const patch of patches) patch(out, at);
    return out;
}

/** `elements` copies of `value` in a float type (F32, F16, BF16, F64): for norms, biases and other 1-D tensors. */
export function constantTensorBytes(id: number, elements: number, value: number): Uint8Array {
    const out = new Uint8Array(ggmlBytes(id, elements));
    switch (ggmlTypeName(id)) {
        case "F32": new Float32Array(out.buffer).fill(value); break;
        case "F64": new Float64Array(out.buffer).fill(value); break;
        case "F16": new Uint16Array(out.buffer).fill(f32ToF16(value)); break;
        case "BF16": new Uint16Array(out.buffer).fill(f32ToBf16(value)); break;
        default: throw new Error(`constant tensors are float tensors, got ${ggmlTypeName(id) ?? id}`);
    }
    return out;
}

/** True for the types `constantTensorBytes` writes. */
export function isFloatType(id: number): boolean {
    return id === GgmlTypeId.F32 || id === GgmlTypeId.F16 || id === GgmlTypeId.BF16 || id === GgmlTypeId.F64;
}

// ---------------------------------------------------------------- plain float types

const TABLE_BITS = 12;
let normals: Float64Array | undefined;

/** 4096 normal values with std STD, the same in every process (a fixed seed). */
function normalTable(): Float64Array {
    if (normals == null) {
        const values = new Float32Array(1 << TABLE_BITS);
        new Random(0x5eed).fillNormal(values, STD);
        normals = Float64Array.from(values);
    }
    return normals;
}

const tables = new Map<string, ArrayLike<number>>();

function tableFor(name: "F32" | "F16" | "BF16" | "F64"): ArrayLike<number> {
    let table = tables.get(name);
    if (table == null) {
        const source = normalTable();
        switch (name) {
            case "F32": table = Float32Array.from(source); break;
            case "F64": table = source; break;
            case "F16": table = Uint16Array.from(source, f32ToF16); break;
            case "BF16": table = Uint16Array.from(new Float32Array(source), f32ToBf16); break;
        }
        tables.set(name, table);
    }
    return table;
}

function fillFromTable(out: Uint8Array, name: "F32" | "F16" | "BF16" | "F64", random: Random): void {
    const table = tableFor(name);
    const size = name === "F32" ? 4 : name === "F64" ? 8 : 2;
    const count = out.length / size;
    const view = name === "F32" ? new Float32Array(out.buffer, out.byteOffset, count)
        : name === "F64" ? new Float64Array(out.buffer, out.byteOffset, count)
            : new Uint16Array(out.buffer, out.byteOffset, count);
    const mask = (1 << TABLE_BITS) - 1;
    for (let i = 0; i < count; i += 2) {
        const word = random.next();
        view[i] = table[word & mask]!;
        if (i + 1 < count) view[i + 1] = table[(word >>> 16) & mask]!;
    }
}

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);

/** float32 → bfloat16 bits, round to nearest even (ggml's `ggml_compute_fp32_to_bf16`; the inputs here are finite). */
function f32ToBf16(value: number): number {
    f32Bits[0] = value;
    const bits = u32Bits[0]!;
    return ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16) & 0xffff;
}
