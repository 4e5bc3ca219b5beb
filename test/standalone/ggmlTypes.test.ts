import { GgmlType } from "node-llama-cpp";
import { describe, expect, test } from "vitest";
import { GgmlTypeId, blockElements, ggmlBytes, ggmlTypeName, type GgmlTypeName } from "../../runner/models/gguf/ggmlTypes.ts";

describe("the ggml type table", () => {
    test("every type's number is the one node-llama-cpp's GgmlType (llama.cpp's enum ggml_type) gives it", () => {
        for (const [name, id] of Object.entries(GgmlTypeId)) expect(GgmlType[name as keyof typeof GgmlType], name).toBe(id);
    });

    test("types removed from GGUF files (Q4_2, Q4_0_4_4, IQ4_NL_4_4, …) are unknown", () => {
        for (const id of [4, 5, 31, 32, 33, 36, 37, 38, 43]) expect(ggmlTypeName(id)).toBeUndefined();
        expect(() => ggmlBytes(4, 32)).toThrow(/unknown ggml tensor type 4/);
    });

    // bytes per block from ggml-common.h's block structs
    test.each([
        ["Q4_0", 32, 18], ["Q8_0", 32, 34], ["Q2_K", 256, 84], ["Q3_K", 256, 110], ["Q4_K", 256, 144], ["Q5_K", 256, 176],
        ["Q6_K", 256, 210], ["IQ4_XS", 256, 136], ["IQ1_M", 256, 56], ["MXFP4", 32, 17], ["BF16", 1, 2]
    ] as const)("%s: %i elements per block, %i bytes", (name: GgmlTypeName, elements, bytes) => {
        expect(blockElements(GgmlTypeId[name])).toBe(elements);
        expect(ggmlBytes(GgmlTypeId[name], elements * 3)).toBe(bytes * 3);
    });

    test("a row that does not fill whole blocks is refused", () => {
        expect(() => ggmlBytes(GgmlTypeId.Q4_K, 320)).toThrow(/Q4_K: 320 elements do not fill whole blocks of 256/);
    });
});
