import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ReferenceReader, ReferenceWriter, referenceDataBytes } from "../../runner/protocol/referenceFile.ts";

const dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-ref-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shape = {
    model: { file: "base-f16.gguf", sha256: "ab".repeat(32) }, corpus: { sha256: "cd".repeat(32) },
    context: 4, chunks: 2, perChunk: 1, vocabSize: 3, bos: 1, settings: { kvType: "f16", flashAttention: false, batch: 4 }
};
const tokens = [1, 11, 12, 13, 14, 15, 16, 17];

describe("reference files", () => {
    test("the exact form keeps every log-probability of every position, readable chunk by chunk", () => {
        const file = path.join(dir, "exact.ref");
        const writer = new ReferenceWriter(file, { ...shape, topK: null }, tokens);
        writer.addChunk({ targetLogProb: Float32Array.of(-0.5), top1: Int32Array.of(2), logProbs: Float32Array.of(-1, -2, -0.5) });
        expect(existsSync(file)).toBe(false); // only the finished file appears under its name
        writer.addChunk({ targetLogProb: Float32Array.of(-3), top1: Int32Array.of(0), logProbs: Float32Array.of(-0.25, -3, -4) });
        const header = writer.finish({ perplexity: 6.5, computeMs: 12 });
        expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);

        const reader = new ReferenceReader(file);
        expect(reader.header).toEqual(header);
        expect(reader.header).toMatchObject({ format: 1, topK: null, perplexity: 6.5, chunks: 2 });
        expect(reader.positions).toBe(2);
        expect([...reader.tokens()]).toEqual(tokens);
        const second = reader.chunk(1);
        expect([...second.targetLogProb]).toEqual([-3]);
        expect([...second.top1]).toEqual([0]);
        expect([...second.logProbs!]).toEqual([-0.25, -3, -4]);
        expect(second.topIds).toBeUndefined();
        expect(reader.bytes).toBeGreaterThan(referenceDataBytes({ ...shape, topK: null }));
        expect(() => reader.chunk(2)).toThrow(RangeError);
        reader.close();
    });

    test("the top-K form keeps K ids and log-probabilities per position and the tail mass", () => {
        const file = path.join(dir, "top2.ref");
        const writer = new ReferenceWriter(file, { ...shape, topK: 2 }, tokens);
        for (let c = 0; c < 2; c++)
            writer.addChunk({ targetLogProb: Float32Array.of(-1), top1: Int32Array.of(c), tailMass: Float32Array.of(0.125), topIds: Int32Array.of(c, 2), topLogProbs: Float32Array.of(-0.5, -1.5) });
        writer.finish({ perplexity: 2, computeMs: 1 });
        const reader = new ReferenceReader(file);
        const chunk = reader.chunk(1);
        expect([...chunk.topIds!]).toEqual([1, 2]);
        expect([...chunk.topLogProbs!]).toEqual([-0.5, -1.5]);
        expect([...chunk.tailMass!]).toEqual([0.125]);
        expect(chunk.logProbs).toBeUndefined();
        // P × (4 + 4 + 4 + 8 K) + tokens: far less than the exact form's P × (8 + 4 V) once V is large
        expect(referenceDataBytes({ ...shape, topK: 2 })).toBe(4 * 8 + 2 * (4 + 4 + 4 + 16));
        reader.close();
    });

    test("rows of the wrong size, a truncated file and a file of another kind are refused", () => {
        const writer = new ReferenceWriter(path.join(dir, "bad.ref"), { ...shape, topK: null }, tokens);
        expect(() => writer.addChunk({ targetLogProb: Float32Array.of(-1), top1: Int32Array.of(0), logProbs: Float32Array.of(-1) })).toThrow(/3 values of logProbs/);
        expect(() => writer.finish({ perplexity: 1, computeMs: 1 })).toThrow(/2 chunks/);
        writer.abort();
        expect(readdirSync(dir).filter((name) => name.startsWith("bad"))).toEqual([]);

        const good = readFileSync(path.join(dir, "exact.ref"));
        const truncated = path.join(dir, "truncated.ref");
        writeFileSync(truncated, Buffer.concat([good.subarray(0, 8), good.subarray(16)]));
        expect(() => new ReferenceReader(truncated)).toThrow(/truncated/);
        const other = path.join(dir, "other.ref");
        writeFileSync(other, "_logits_ from llama-perplexity");
        expect(() => new ReferenceReader(other)).toThrow(/not a gguf-bench reference file/);
    });
});
