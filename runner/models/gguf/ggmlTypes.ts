/**
 * ggml's tensor types: the number a GGUF file stores (`enum ggml_type`), and how many elements one block holds and
 * how many bytes it takes (`type_traits` in ggml.c, block layouts in ggml-common.h). Every type a current GGUF file
 * can hold is listed, so any header's sizes can be computed; which of them gguf-bench can also write is
 * `randomBlocks.ts`'s business.
 */

/** name → [ggml_type number, elements per block, bytes per block]. */
const table = {
    F32: [0, 1, 4],
    F16: [1, 1, 2],
    Q4_0: [2, 32, 18],
    Q4_1: [3, 32, 20],
    Q5_0: [6, 32, 22],
    Q5_1: [7, 32, 24],
    Q8_0: [8, 32, 34],
    Q8_1: [9, 32, 36],
    Q2_K: [10, 256, 84],
    Q3_K: [11, 256, 110],
    Q4_K: [12, 256, 144],
    Q5_K: [13, 256, 176],
    Q6_K: [14, 256, 210],
    Q8_K: [15, 256, 292],
    IQ2_XXS: [16, 256, 66],
    IQ2_XS: [17, 256, 74],
    IQ3_XXS: [18, 256, 98],
    IQ1_S: [19, 256, 50],
    IQ4_NL: [20, 32, 18],
    IQ3_S: [21, 256, 110],
    IQ2_S: [22, 256, 82],
    IQ4_XS: [23, 256, 136],
    I8: [24, 1, 1],
    I16: [25, 1, 2],
    I32: [26, 1, 4],
    I64: [27, 1, 8],
    F64: [28, 1, 8],
    IQ1_M: [29, 256, 56],
    BF16: [30, 1, 2],
    TQ1_0: [34, 256, 54],
    TQ2_0: [35, 256, 66],
    MXFP4: [39, 32, 17],
    NVFP4: [40, 64, 36],
    Q1_0: [41, 128, 18],
    Q2_0: [42, 64, 18]
} as const satisfies Record<string, readonly [number, number, number]>;

export type GgmlTypeName = keyof typeof table;

/** ggml type numbers by name, e.g. `GgmlTypeId.Q4_K === 12`. */
export const GgmlTypeId = Object.fromEntries(Object.entries(table).map(([name, [id]]) => [name, id])) as
    { readonly [K in GgmlTypeName]: typeof table[K][0] };

const byId = new Map<number, GgmlTypeName>(Object.entries(table).map(([name, [id]]) => [id, name as GgmlTypeName]));

/** The name of a ggml type number (`12` → `Q4_K`); `undefined` for a number no current ggml knows. */
export function ggmlTypeName(id: number): GgmlTypeName | undefined {
    return byId.get(id);
}

/** Elements per block (1 for the plain types, 32 or 256 for most block formats). */
export function blockElements(id: number): number {
    return entry(id)[1];
}

/** Bytes of `elements` elements in type `id`; `elements` must fill whole blocks. */
export function ggmlBytes(id: number, elements: number): number {
    const [, block, bytes] = entry(id);
    if (elements % block !== 0)
        throw new Error(`${ggmlTypeName(id)}: ${elements} elements do not fill whole blocks of ${block}`);
    return (elements / block) * bytes;
}

/** Elements of a tensor of this ggml shape (`shape[0]` is the row length). */
export function elementCount(shape: readonly number[]): number {
    return shape.reduce((a, b) => a * b, 1);
}

function entry(id: number): readonly [number, number, number] {
    const name = byId.get(id);
    if (name == null) throw new Error(`unknown ggml tensor type ${id}`);
    return table[name];
}
