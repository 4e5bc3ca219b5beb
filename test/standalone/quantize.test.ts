import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gguf } from "@huggingface/gguf";
import {
    GgmlType, dequantizeQ4_0, dequantizeQ8_0, f16ToF32, f32ToF16, quantizeQ4_0, quantizeQ8_0
} from "../../runner/models/gguf/quantize.ts";
import { ggmlBytes as ggmlByteSize } from "../../runner/models/gguf/ggmlTypes.ts";
import { GENERATOR_VERSION, ensureSyntheticModel, syntheticTensors, writeSyntheticModel } from "../../runner/models/synthetic/synthetic.ts";
import { SYNTHETIC_VOCAB_SIZE, syntheticVocab } from "../../runner/models/synthetic/syntheticVocab.ts";

describe("f32ToF16", () => {
    test.each([
        [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [0.1, 0x2e66],
        [0, 0x0000], [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00],
        [2 ** -14, 0x0400], // smallest normal
        [2 ** -24, 0x0001], // smallest subnormal
        [1023 * 2 ** -24, 0x03ff], // largest subnormal
        [2 ** -25, 0x0000], // halfway between 0 and 2^-24: ties to even (0)
        [1.5 * 2 ** -25, 0x0001],
        [3 * 2 ** -25, 0x0002], // halfway between 1 and 2 units: ties to even (2)
        [1 + 2 ** -11, 0x3c00], // halfway between 1 and next: ties to even
        [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02: ties to even
        [65519, 0x7bff], // just under the halfway point to 65536
        [65520, 0x7c00], // halfway, ties to even: overflows to inf
        [1e-10, 0x0000], [-1e-10, 0x8000]
    ])("%d → %i", (value, bits) => {
        expect(f32ToF16(value)).toBe(bits);
    });

    test("NaN stays NaN", () => {
        expect(f32ToF16(NaN) & 0x7c00).toBe(0x7c00);
        expect(f32ToF16(NaN) & 0x03ff).not.toBe(0);
    });

    test("every finite half survives f16 → f32 → f16", () => {
        const mismatches: number[] = [];
        for (let h = 0; h < 0x10000; h++) {
            if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0)
                continue; // NaN payloads
            if (f32ToF16(f16ToF32(h)) !== h)
                mismatches.push(h);
        }
        expect(mismatches).toEqual([]);
    });
});

describe("Q8_0 (quantize_row_q8_0_ref)", () => {
    test("a hand-worked block: d = amax / 127, q = round half away from zero", () => {
        const block = new Float32Array(32);
        block.set([127, -127, 0.5, -0.5, 2.5, -2.5, 1.4, -1.6]);
        const out = quantizeQ8_0(block);
        expect(out.length).toBe(34);
        expect([...out.subarray(0, 2)]).toEqual([0x00, 0x3c]); // d = 1.0
        expect([...out.subarray(2, 10)]).toEqual([127, 0x81, 1, 0xff, 3, 0xfd, 1, 0xfe]);
        expect(out.subarray(10).every(b => b === 0)).toBe(true);
    });

    test("an all-zero block has d = 0 and q = 0", () => {
        expect([...quantizeQ8_0(new Float32Array(32))]).toEqual(new Array(34).fill(0));
    });

    test("round trip stays within half a step (plus the f16 rounding of d)", () => {
        const values = pseudoRandom(32 * 64, 0.02);
        const back = dequantizeQ8_0(quantizeQ8_0(values));
        for (let b = 0; b < 64; b++) {
            const block = values.subarray(b * 32, b * 32 + 32);
            const d = Math.max(...block.map(Math.abs)) / 127;
            for (let j = 0; j < 32; j++)
                expect(Math.abs(back[b * 32 + j]! - block[j]!)).toBeLessThanOrEqual(d * (0.5 + 127 * 2 ** -11));
        }
    });
});

describe("Q4_0 (quantize_row_q4_0_ref)", () => {
    test("a hand-worked block: d = max / -8, q = min(15, trunc(x / d + 8.5)), low nibbles = elements 0..15", () => {
        const block = new Float32Array(32);
        block.set([-8, 7.9, 0, -0.6]);
        block.set([7, -0.5, 3], 16);
        const out = quantizeQ4_0(block);
        expect(out.length).toBe(18);
        expect([...out.subarray(0, 2)]).toEqual([0x00, 0x3c]); // d = -8 / -8 = 1.0
        // q: [0, 15 (16 clamped), 8, 7, 8...] low, [15, 8, 11, 8...] high
        expect([...out.subarray(2, 6)]).toEqual([0xf0, 0x8f, 0xb8, 0x87]);
        expect(out.subarray(6).every(b => b === 0x88)).toBe(true);
    });

    test("a positive max gives a negative d and the opposite extreme clamps to 15", () => {
        const block = new Float32Array(32);
        block.set([8, -8]);
        const out = quantizeQ4_0(block);
        expect([...out.subarray(0, 2)]).toEqual([0x00, 0xbc]); // d = -1.0
        expect(out[2]! & 0x0f).toBe(0); // 8 → 0
        expect(out[3]! & 0x0f).toBe(15); // -8 → 16.5 → clamped
        const back = dequantizeQ4_0(out);
        expect(back[0]).toBe(8);
        expect(back[1]).toBe(-7);
    });

    test("round trip stays within one step of d", () => {
        const values = pseudoRandom(32 * 64, 0.02);
        const back = dequantizeQ4_0(quantizeQ4_0(values));
        let sumSq = 0;
        for (let b = 0; b < 64; b++) {
            const block = values.subarray(b * 32, b * 32 + 32);
            const d = Math.max(...block.map(Math.abs)) / 8;
            for (let j = 0; j < 32; j++) {
                const err = back[b * 32 + j]! - block[j]!;
                sumSq += err * err;
                expect(Math.abs(err)).toBeLessThanOrEqual(d * (1 + 16 * 2 ** -11));
            }
        }
        // uniform rounding noise: rms ≈ step / √12, far below the one-step worst case
        expect(Math.sqrt(sumSq / values.length)).toBeLessThan(0.02 * 2.5 / 8 / 2);
    });

    test("block formats need whole blocks", () => {
        expect(() => quantizeQ4_0(new Float32Array(33))).toThrow(/multiple of 32/);
        expect(ggmlByteSize(GgmlType.Q4_0, 64)).toBe(36);
        expect(ggmlByteSize(GgmlType.Q8_0, 64)).toBe(68);
    });
});

describe("synthetic models", () => {
    let dir: string;
    beforeAll(async () => {
        dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-synthetic-"));
    });
    afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    test("the vocabulary is SentencePiece-shaped: specials, 256 byte tokens, normal pieces, chat markers", () => {
        const vocab = syntheticVocab();
        expect(vocab.tokens.length).toBe(SYNTHETIC_VOCAB_SIZE);
        expect(vocab.tokens.slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
        expect(vocab.tokenTypes.slice(0, 3)).toEqual([2, 3, 3]);
        expect(vocab.tokens[3]).toBe("<0x00>");
        expect(vocab.tokens[3 + 0x0a]).toBe("<0x0A>");
        expect(vocab.tokens[258]).toBe("<0xFF>");
        expect(vocab.tokenTypes.slice(3, 259).every(t => t === 6)).toBe(true);
        expect(new Set(vocab.tokens).size).toBe(vocab.tokens.length);
        expect(vocab.tokens).toContain("\u2581the");
        // every normal ▁-piece is reachable by SPM merges: its prefixes are tokens too
        for (const token of vocab.tokens.filter((t, i) => vocab.tokenTypes[i] === 1 && t.length > 1))
            expect(vocab.tokens).toContain(token.slice(0, -1));
    });

    test("same seed → byte-identical file, different seed → different weights, same header size", async () => {
        const a = path.join(dir, "a.gguf");
        const b = path.join(dir, "b.gguf");
        const c = path.join(dir, "c.gguf");
        await writeSyntheticModel({ preset: "tiny", quant: "Q4_0", seed: 7 }, a);
        await writeSyntheticModel({ preset: "tiny", quant: "Q4_0", seed: 7 }, b);
        await writeSyntheticModel({ preset: "tiny", quant: "Q4_0", seed: 8 }, c);
        expect(await sha256(a)).toBe(await sha256(b));
        expect(await sha256(a)).not.toBe(await sha256(c));
        expect((await stat(a)).size).toBe((await stat(c)).size);
    });

    test("the header parses as GGUF v3 llama with aligned tensors, and every quant holds the same weights", async () => {
        const files: Record<string, string> = {};
        for (const quant of ["F32", "F16", "Q8_0", "Q4_0"] as const) {
            files[quant] = path.join(dir, `tiny-${quant}.gguf`);
            await writeSyntheticModel({ preset: "tiny", quant, seed: 3 }, files[quant]);
        }
        const f32 = await gguf(files.F32!, { allowLocalFile: true });
        const meta = f32.metadata as unknown as Record<string, unknown>;
        expect(f32.metadata.version).toBe(3);
        expect(meta["general.architecture"]).toBe("llama");
        expect(meta["general.name"]).toBe("synthetic-tiny-f32");
        expect(meta["llama.embedding_length"]).toBe(128);
        expect(meta["llama.attention.head_count_kv"]).toBe(2);
        expect(meta["llama.rope.dimension_count"]).toBe(32);
        expect(meta["tokenizer.ggml.model"]).toBe("llama");
        expect(f32.tensorDataOffset % 32n).toBe(0n);
        const names = f32.tensorInfos.map(t => t.name);
        expect(names).toEqual(syntheticTensors({ preset: "tiny", quant: "F32", seed: 3 }).map(t => t.name));
        expect(names).toContain("blk.1.ffn_down.weight");
        expect(f32.tensorInfos.find(t => t.name === "blk.0.attn_k.weight")!.shape).toEqual([128n, 64n]);
        expect(f32.tensorInfos.find(t => t.name === "token_embd.weight")!.shape).toEqual([128n, BigInt(SYNTHETIC_VOCAB_SIZE)]);
        for (const info of f32.tensorInfos)
            expect(info.offset % 32n).toBe(0n);

        // the F32 weights: std ≈ 0.02, norms 1.0
        const f32Bytes = await readFile(files.F32!);
        const tensorF32 = (name: string, n: number) => {
            const info = f32.tensorInfos.find(t => t.name === name)!;
            const start = Number(f32.tensorDataOffset + info.offset);
            return new Float32Array(f32Bytes.buffer.slice(f32Bytes.byteOffset + start, f32Bytes.byteOffset + start + n * 4));
        };
        const embd = tensorF32("token_embd.weight", 128 * SYNTHETIC_VOCAB_SIZE);
        const mean = embd.reduce((s, v) => s + v, 0) / embd.length;
        const std = Math.sqrt(embd.reduce((s, v) => s + (v - mean) ** 2, 0) / embd.length);
        expect(Math.abs(mean)).toBeLessThan(0.001);
        expect(std).toBeGreaterThan(0.019);
        expect(std).toBeLessThan(0.021);
        expect([...tensorF32("blk.0.attn_norm.weight", 128)].every(v => v === 1)).toBe(true);

        // the quantized files hold exactly our quantization of the same F32 weights
        for (const [quant, encode, type] of [["Q8_0", quantizeQ8_0, GgmlType.Q8_0], ["Q4_0", quantizeQ4_0, GgmlType.Q4_0]] as const) {
            const parsed = await gguf(files[quant]!, { allowLocalFile: true });
            const info = parsed.tensorInfos.find(t => t.name === "token_embd.weight")!;
            expect(info.dtype).toBe(type);
            const start = Number(parsed.tensorDataOffset + info.offset);
            const bytes = (await readFile(files[quant]!)).subarray(start, start + ggmlByteSize(type, embd.length));
            expect(Buffer.from(bytes).equals(Buffer.from(encode(embd)))).toBe(true);
            expect(parsed.tensorInfos.find(t => t.name === "output_norm.weight")!.dtype).toBe(GgmlType.F32);
        }
    });

    test("ensureSyntheticModel writes once under a versioned name and then reuses the file", async () => {
        const spec = { preset: "tiny", quant: "Q8_0", seed: 5 } as const;
        const file = await ensureSyntheticModel(spec, dir);
        expect(file).toBe(path.join(dir, "synthetic", `tiny-q8_0-s5-g${GENERATOR_VERSION}.gguf`));
        const first = await stat(file);
        expect(await ensureSyntheticModel(spec, dir)).toBe(file);
        expect((await stat(file)).mtimeMs).toBe(first.mtimeMs);
    });

    test("an invalid spec is rejected before anything is written", async () => {
        await expect(writeSyntheticModel({ preset: "tiny", quant: "Q8_0", seed: -1 }, path.join(dir, "x.gguf")))
            .rejects.toThrow(/seed/);
        await expect(writeSyntheticModel({ preset: "huge" as "tiny", quant: "Q8_0", seed: 1 }, path.join(dir, "x.gguf")))
            .rejects.toThrow(/preset/);
    });
});

/** Deterministic values, normal-ish, for the round-trip tests. */
function pseudoRandom(n: number, scale: number): Float32Array {
    const out = new Float32Array(n);
    let state = 12345;
    for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            sum += state / 2 ** 32 - 0.5;
        }
        out[i] = sum * scale * Math.sqrt(3);
    }
    return out;
}

async function sha256(file: string): Promise<string> {
    return createHash("sha256").update(await readFile(file)).digest("hex");
}
