/**
 * ggml tensor encodings written by the synthetic model writer, bit-for-bit like ggml's reference quantizers
 * (`ggml_fp32_to_fp16`, `quantize_row_q8_0_ref`, `quantize_row_q4_0_ref` in ggml-quants.c; block layouts from
 * ggml-common.h). All arithmetic that ggml does in `float` is rounded to float32 with `Math.fround`.
 */

import { GgmlTypeId } from "./ggmlTypes.ts";

/** ggml tensor types this file can encode (values of `enum ggml_type`; sizes of every type: ggmlTypes.ts). */
export const GgmlType = { F32: GgmlTypeId.F32, F16: GgmlTypeId.F16, Q4_0: GgmlTypeId.Q4_0, Q8_0: GgmlTypeId.Q8_0 } as const;
export type GgmlType = typeof GgmlType[keyof typeof GgmlType];

/** Elements per block of the block formats. */
export const QK = 32;
/** `block_q8_0 { ggml_half d; int8_t qs[32]; }` */
export const Q8_0_BLOCK_BYTES = 2 + QK;
/** `block_q4_0 { ggml_half d; uint8_t qs[16]; }` */
export const Q4_0_BLOCK_BYTES = 2 + QK / 2;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float32 → IEEE half bits, round to nearest even; subnormals, ±0, ±inf and NaN handled. */
export function f32ToF16(value: number): number {
    f32Scratch[0] = value;
    const bits = u32Scratch[0]!;
    const sign = (bits >>> 16) & 0x8000;
    const exp = (bits >>> 23) & 0xff;
    const mant = bits & 0x7fffff;

    if (exp === 0xff) // inf or NaN (NaN stays quiet and keeps its top payload bits)
        return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);

    const e = exp - 127 + 15;
    if (e >= 0x1f)
        return sign | 0x7c00;

    if (e <= 0) { // half subnormal (or zero): value / 2^-24 = m * 2^(e - 14)
        if (e < -10)
            return sign;
        const m = mant | 0x800000;
        const shift = 14 - e;
        let q = m >>> shift;
        const rem = m & ((1 << shift) - 1);
        const half = 1 << (shift - 1);
        if (rem > half || (rem === half && (q & 1) !== 0))
            q++; // may carry into the smallest normal, which is the right answer
        return sign | q;
    }

    let q = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (q & 1) !== 0))
        q++; // a carry out of the mantissa bumps the exponent, up to inf
    return sign | q;
}

/** IEEE half bits → number. */
export function f16ToF32(h: number): number {
    const sign = (h & 0x8000) !== 0 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0)
        return sign * mant * 2 ** -24;
    if (exp === 0x1f)
        return mant === 0 ? sign * Infinity : NaN;
    return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Encode float32 values as `type`, ggml's layout; the length must be a multiple of 32 for Q8_0/Q4_0. */
export function encodeTensorData(type: GgmlType, values: Float32Array): Uint8Array {
    switch (type) {
        case GgmlType.F32: // GGUF is little-endian, like every host node-llama-cpp runs on
            return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
        case GgmlType.F16: return encodeF16(values);
        case GgmlType.Q8_0: return quantizeQ8_0(values);
        case GgmlType.Q4_0: return quantizeQ4_0(values);
    }
}

export function encodeF16(values: Float32Array): Uint8Array {
    const out = new Uint8Array(values.length * 2);
    for (let i = 0; i < values.length; i++)
        writeF16(out, i * 2, values[i]!);
    return out;
}

/** `quantize_row_q8_0_ref`: d = amax / 127, q = roundf(x / d). */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
    const nb = blocks(values.length);
    const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
    for (let b = 0; b < nb; b++) {
        const base = b * QK;
        let amax = 0;
        for (let j = 0; j < QK; j++)
            amax = Math.max(amax, Math.abs(values[base + j]!));
        const d = Math.fround(amax / 127);
        const id = d !== 0 ? Math.fround(1 / d) : 0;
        const o = b * Q8_0_BLOCK_BYTES;
        writeF16(out, o, d);
        for (let j = 0; j < QK; j++)
            out[o + 2 + j] = roundHalfAway(Math.fround(values[base + j]! * id)) & 0xff;
    }
    return out;
}

/** `quantize_row_q4_0_ref`: d = max / -8 (max = the value of largest |x|), q = min(15, trunc(x / d + 8.5)). */
export function quantizeQ4_0(values: Float32Array): Uint8Array {
    const nb = blocks(values.length);
    const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
    for (let b = 0; b < nb; b++) {
        const base = b * QK;
        let amax = 0;
        let max = 0;
        for (let j = 0; j < QK; j++) {
            const v = values[base + j]!;
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        const d = Math.fround(max / -8);
        const id = d !== 0 ? Math.fround(1 / d) : 0;
        const o = b * Q4_0_BLOCK_BYTES;
        writeF16(out, o, d);
        for (let j = 0; j < QK / 2; j++) {
            const x0 = Math.fround(values[base + j]! * id);
            const x1 = Math.fround(values[base + QK / 2 + j]! * id);
            const q0 = Math.min(15, Math.trunc(Math.fround(x0 + 8.5)));
            const q1 = Math.min(15, Math.trunc(Math.fround(x1 + 8.5)));
            out[o + 2 + j] = q0 | (q1 << 4);
        }
    }
    return out;
}

/** `dequantize_row_q8_0`: x = q * d. */
export function dequantizeQ8_0(data: Uint8Array): Float32Array {
    const nb = data.length / Q8_0_BLOCK_BYTES;
    const out = new Float32Array(nb * QK);
    for (let b = 0; b < nb; b++) {
        const o = b * Q8_0_BLOCK_BYTES;
        const d = f16ToF32(readU16(data, o));
        for (let j = 0; j < QK; j++)
            out[b * QK + j] = ((data[o + 2 + j]! << 24) >> 24) * d;
    }
    return out;
}

/** `dequantize_row_q4_0`: x = (q - 8) * d; low nibbles are elements 0..15, high nibbles 16..31. */
export function dequantizeQ4_0(data: Uint8Array): Float32Array {
    const nb = data.length / Q4_0_BLOCK_BYTES;
    const out = new Float32Array(nb * QK);
    for (let b = 0; b < nb; b++) {
        const o = b * Q4_0_BLOCK_BYTES;
        const d = f16ToF32(readU16(data, o));
        for (let j = 0; j < QK / 2; j++) {
            const byte = data[o + 2 + j]!;
            out[b * QK + j] = ((byte & 0x0f) - 8) * d;
            out[b * QK + QK / 2 + j] = ((byte >>> 4) - 8) * d;
        }
    }
    return out;
}

function blocks(n: number): number {
    if (n % QK !== 0)
        throw new Error(`Expected a multiple of ${QK} elements for a block format, got ${n}`);
    return n / QK;
}

/** C's `roundf`: halves away from zero. */
function roundHalfAway(x: number): number {
    return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

function writeF16(out: Uint8Array, offset: number, value: number): void {
    const h = f32ToF16(value);
    out[offset] = h & 0xff;
    out[offset + 1] = h >>> 8;
}

function readU16(data: Uint8Array, offset: number): number {
    return data[offset]! | (data[offset + 1]! << 8);
}
