/**
 * The second copy of some weights a CPU backend makes: llama.cpp's CPU backend repacks Q4_0 and IQ4_NL weights
 * into interleaved layouts for its SIMD kernels (ggml-cpu's `CPU_REPACK` buffer type), while the file stays mapped
 * and its pages read once stay resident. No GGUF-based estimate counts it; measured on this project's machines
 * (x64, AVX-512), a Q4_0 config's peak RSS sits a file's weights above an 8-bit one's per byte of file.
 */
import { GgmlType } from "node-llama-cpp";

/** Bytes per block of 32 weights of the types llama.cpp's CPU backend repacks. */
const repackedBlockBytes = new Map<GgmlType, number>([[GgmlType.Q4_0, 18], [GgmlType.IQ4_NL, 18]]);

/** Bytes of the tensors a CPU backend repacks (a second copy in RAM); 0 for a model without such tensors. Pure. */
export function repackBytes(tensors: readonly { dimensions: readonly (number | bigint)[]; ggmlType: GgmlType }[]): number {
    let bytes = 0;
    for (const tensor of tensors) {
        const block = repackedBlockBytes.get(tensor.ggmlType);
        if (block == null) continue;
        const elements = tensor.dimensions.reduce<number>((n, d) => n * Number(d), 1);
        bytes += (elements / 32) * block;
    }
    return Math.round(bytes);
}
