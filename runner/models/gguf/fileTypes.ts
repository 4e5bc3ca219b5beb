/**
 * llama.cpp's file types (`enum llama_ftype`, the `general.file_type` of a GGUF), by the names llama-quantize takes,
 * with each one's default tensor type (`llama_ftype_get_default_type` in src/llama-quant.cpp). Only file types whose
 * every tensor type gguf-bench can write are listed (not NVFP4, Q1_0, Q2_0).
 */
import type { GgmlTypeName } from "./ggmlTypes.ts";

const table = {
    F32: [0, "F32"],
    F16: [1, "F16"],
    BF16: [32, "BF16"],
    Q8_0: [7, "Q8_0"],
    Q4_0: [2, "Q4_0"],
    Q4_1: [3, "Q4_1"],
    Q5_0: [8, "Q5_0"],
    Q5_1: [9, "Q5_1"],
    Q2_K: [10, "Q2_K"],
    Q2_K_S: [21, "Q2_K"],
    Q3_K_S: [11, "Q3_K"],
    Q3_K_M: [12, "Q3_K"],
    Q3_K_L: [13, "Q3_K"],
    Q4_K_S: [14, "Q4_K"],
    Q4_K_M: [15, "Q4_K"],
    Q5_K_S: [16, "Q5_K"],
    Q5_K_M: [17, "Q5_K"],
    Q6_K: [18, "Q6_K"],
    IQ2_XXS: [19, "IQ2_XXS"],
    IQ2_XS: [20, "IQ2_XS"],
    IQ2_S: [28, "IQ2_XS"],
    IQ2_M: [29, "IQ2_S"],
    IQ3_XXS: [23, "IQ3_XXS"],
    IQ3_XS: [22, "IQ3_S"],
    IQ3_S: [26, "IQ3_S"],
    IQ3_M: [27, "IQ3_S"],
    IQ1_S: [24, "IQ1_S"],
    IQ1_M: [31, "IQ1_M"],
    IQ4_NL: [25, "IQ4_NL"],
    IQ4_XS: [30, "IQ4_XS"],
    TQ1_0: [36, "TQ1_0"],
    TQ2_0: [37, "TQ2_0"],
    MXFP4_MOE: [38, "MXFP4"]
} as const satisfies Record<string, readonly [number, GgmlTypeName]>;

export type FileTypeName = keyof typeof table;

/** Every file type a clone can be re-typed to, in the order above (floats, legacy, k-quants, IQ). */
export const fileTypeNames = Object.keys(table) as FileTypeName[];

/** `general.file_type` number of a file type. */
export function fileTypeId(name: FileTypeName): number {
    return table[name][0];
}

/** The tensor type most weights of this file type get. */
export function defaultTensorType(name: FileTypeName): GgmlTypeName {
    return table[name][1];
}

/** The file type of a name as written in a suite, case-insensitive (`q4_k_m` → `Q4_K_M`); `undefined` if none. */
export function parseFileType(text: string): FileTypeName | undefined {
    const upper = text.toUpperCase();
    return fileTypeNames.find((name) => name === upper);
}
