import { describe, expect, test } from "vitest";
import { GgmlTypeId, blockElements, ggmlBytes, type GgmlTypeName } from "../../runner/models/gguf/ggmlTypes.ts";
import { dequantizeQ4_0, dequantizeQ8_0, f16ToF32 } from "../../runner/models/gguf/quantize.ts";
import { Random } from "../../runner/models/synthetic/random.ts";
import { constantTensorBytes, randomTensorBytes, writableTypes } from "../../runner/models/synthetic/randomBlocks.ts";

const elements = 256 * 64;
const bytesOf = (name: GgmlTypeName, seed = 7) => randomTensorBytes(GgmlTypeId[name], elements, new Random(seed));

describe("randomTensorBytes", () => {
    test.each(writableTypes)("%s: whole blocks of the type's size, the same for the same seed, other for another", (name) => {
        const bytes = bytesOf(name);
        expect(bytes.length).toBe(ggmlBytes(GgmlTypeId[name], elements));
        expect(bytesOf(name)).toEqual(bytes);
        if (!name.startsWith("I") || name.startsWith("IQ")) expect(bytesOf(name, 8)).not.toEqual(bytes);
    });

    test("chunks of a stream continue it: two halves from one generator are not the same bytes", () => {
        const random = new Random(3);
        const first = randomTensorBytes(GgmlTypeId.Q4_K, 256 * 8, random);
        const second = randomTensorBytes(GgmlTypeId.Q4_K, 256 * 8, random);
        expect(second).not.toEqual(first);
    });

    test.each([
        ["Q8_0", dequantizeQ8_0], ["Q4_0", dequantizeQ4_0]
    ] as const)("%s weights are small and centred (std near 0.02)", (name, dequantize) => {
        const values = dequantize(bytesOf(name));
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
        expect(Math.abs(mean)).toBeLessThan(0.003);
        expect(sd).toBeGreaterThan(0.015);
        expect(sd).toBeLessThan(0.025);
    });

    test("float types draw normal values with std near 0.02", () => {
        const f16 = bytesOf("F16");
        const values = Array.from({ length: elements }, (_, i) => f16ToF32(f16[2 * i]! | (f16[2 * i + 1]! << 8)));
        const sd = Math.sqrt(values.reduce((a, b) => a + b * b, 0) / values.length);
        expect(sd).toBeGreaterThan(0.018);
        expect(sd).toBeLessThan(0.022);
        const f32 = new Float32Array(bytesOf("F32").buffer);
        expect(f32.every((v) => Number.isFinite(v) && Math.abs(v) < 0.2)).toBe(true);
    });

    // the f16 scale fields of each block (ggml-common.h): finite and small, whatever the random bytes around them
    test.each([
        ["Q4_1", [0, 2]], ["Q5_0", [0]], ["Q5_1", [0, 2]], ["Q2_K", [80, 82]], ["Q3_K", [108]], ["Q4_K", [0, 2]],
        ["Q5_K", [0, 2]], ["Q6_K", [208]], ["IQ4_NL", [0]], ["IQ4_XS", [0]], ["IQ2_XXS", [0]], ["IQ2_XS", [0]],
        ["IQ2_S", [0]], ["IQ3_XXS", [0]], ["IQ3_S", [0]], ["IQ1_S", [0]], ["TQ1_0", [52]], ["TQ2_0", [64]]
    ] as const)("%s: every block's scales at bytes %j are finite and below 0.05", (name, offsets) => {
        const bytes = bytesOf(name);
        const id = GgmlTypeId[name];
        const blockBytes = ggmlBytes(id, blockElements(id));
        for (let at = 0; at < bytes.length; at += blockBytes)
            for (const offset of offsets) {
                const scale = f16ToF32(bytes[at + offset]! | (bytes[at + offset + 1]! << 8));
                expect(Number.isFinite(scale) && Math.abs(scale) < 0.05 && scale !== 0).toBe(true);
            }
    });

    test("IQ1_M's scale, spread over four nibbles, decodes to the same small f16 in every block", () => {
        const bytes = bytesOf("IQ1_M");
        const scales = new Set<number>();
        for (let at = 0; at < bytes.length; at += 56) {
            let bits = 0;
            for (let i = 0; i < 4; i++) bits |= (bytes[at + 48 + 2 * i + 1]! >> 4) << (4 * i);
            scales.add(f16ToF32(bits));
        }
        expect(scales.size).toBe(1);
        const [scale] = scales;
        expect(scale! > 0 && scale! < 0.05).toBe(true);
    });
});

describe("constantTensorBytes", () => {
    test.each([["F32", 4], ["F16", 2], ["BF16", 2], ["F64", 8]] as const)("%s holds the value in every element", (name, size) => {
        const bytes = constantTensorBytes(GgmlTypeId[name], 10, 1);
        expect(bytes.length).toBe(10 * size);
        const expected = { F32: [0, 0, 0x80, 0x3f], F16: [0, 0x3c], BF16: [0x80, 0x3f], F64: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f] }[name];
        for (let i = 0; i < 10; i++) expect([...bytes.subarray(i * size, (i + 1) * size)]).toEqual(expected);
    });

    test("a quantized type is refused", () => {
        expect(() => constantTensorBytes(GgmlTypeId.Q4_0, 32, 1)).toThrow(/constant tensors are float tensors, got Q4_0/);
    });
});
