import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getLlama, LlamaChatSession, type Llama, type Token } from "node-llama-cpp";
import { chatPromptTokens } from "../../runner/measure/promptTokens.ts";
import { writeSyntheticModel } from "../../runner/models/synthetic/synthetic.ts";
import { syntheticQuants, type SyntheticQuant } from "../../runner/suite/syntheticPresets.ts";
import { SYNTHETIC_VOCAB_SIZE } from "../../runner/models/synthetic/syntheticVocab.ts";

const fileTypes: Record<SyntheticQuant, number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };
const sentence = "The quick brown fox jumps over the lazy dog, and then it was time to go home!";
const logitPrompt = "It was the first day of school, and the water was cold.";

describe("synthetic tiny models load and run in node-llama-cpp", () => {
    let dir: string;
    let llama: Llama;
    /** The next-token logits after `logitPrompt`, per quant. */
    const logits = new Map<SyntheticQuant, Float64Array>();

    beforeAll(async () => {
        dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-synthetic-model-"));
        llama = await getLlama({ gpu: false });
    });
    afterAll(async () => {
        await llama?.dispose();
        await rm(dir, { recursive: true, force: true });
    });

    test.each(syntheticQuants)("%s: header, tokenizer, greedy decode, chat", async (quant) => {
        const modelPath = path.join(dir, `tiny-${quant}.gguf`);
        await writeSyntheticModel({ preset: "tiny", quant, seed: 42 }, modelPath);
        const model = await llama.loadModel({ modelPath });
        try {
            const meta = model.fileInfo.metadata;
            expect(meta.general.architecture).toBe("llama");
            expect(meta.general.file_type).toBe(fileTypes[quant]);
            expect(meta.general.name).toBe(`synthetic-tiny-${quant.toLowerCase()}`);
            expect(model.fileInfo.architectureMetadata).toMatchObject({ embedding_length: 128, block_count: 2 });
            expect(model.trainContextSize).toBe(4096);
            expect(model.tokens.bos).toBe(1);
            expect(model.tokens.eos).toBe(2);

            const tokens = model.tokenize(sentence);
            expect(model.detokenize(tokens)).toBe(sentence);
            expect(tokens.length).toBeLessThan(sentence.length); // whole-word pieces merge, not only characters
            expect(tokens.every(t => t >= 0 && t < SYNTHETIC_VOCAB_SIZE)).toBe(true);
            // text outside the vocabulary falls back to byte tokens and still round-trips
            expect(model.detokenize(model.tokenize("naïve café ✓\n"))).toBe("naïve café ✓\n");

            const context = await model.createContext({ contextSize: 256, threads: 1 });
            try {
                const sequence = context.getSequence();
                const generated: Token[] = [];
                for await (const token of sequence.evaluate(model.tokenize(sentence, true), { temperature: 0 })) {
                    generated.push(token);
                    if (generated.length === 8)
                        break;
                }
                expect(generated).toHaveLength(8);
                expect(generated.every(t => t >= 0 && t < SYNTHETIC_VOCAB_SIZE)).toBe(true);

                await sequence.clearHistory();
                const prompt = model.tokenize(logitPrompt, true);
                const result = await sequence.controlledEvaluate([
                    ...prompt.slice(0, -1),
                    [prompt.at(-1)!, { generateNext: { logits: true } }]
                ]);
                const next = result.at(-1)?.next?.logits;
                expect(next?.size).toBe(SYNTHETIC_VOCAB_SIZE);
                const vector = new Float64Array(SYNTHETIC_VOCAB_SIZE);
                for (const [token, logit] of next!) {
                    expect(Number.isFinite(logit)).toBe(true);
                    vector[token] = logit;
                }
                logits.set(quant, vector);

                // the ChatML template's markers are single control tokens, and a chat turn runs
                await sequence.clearHistory();
                const session = new LlamaChatSession({ contextSequence: sequence });
                await session.prompt("Hello, how are you?", { maxTokens: 8, temperature: 0 });
                const fed = sequence.contextTokens.map(t => model.detokenize([t], true));
                expect(fed).toContain("<|im_start|>");
                expect(fed).toContain("<|im_end|>");
                // the runner's chat prompt is exactly what the session fed before its answer, also when the
                // resolved chat wrapper is reused for a second prompt of the same model
                const ours = chatPromptTokens(model, "Hello, how are you?");
                expect(sequence.contextTokens.slice(0, ours.length)).toEqual(ours);
                expect(chatPromptTokens(model, "Hello, how are you?")).toEqual(ours);
                expect(chatPromptTokens(model, "Something else.")).not.toEqual(ours);
            } finally {
                await context.dispose();
            }
        } finally {
            await model.dispose();
        }
    });

    test("quantization noise in the logits ranks F16 < Q8_0 < Q4_0 against F32", () => {
        const reference = logits.get("F32");
        expect(reference, "the F32 model ran").toBeDefined();
        const error = (quant: SyntheticQuant) => rmsDiff(logits.get(quant)!, reference!) / rms(reference!);
        const [f16, q8, q4] = [error("F16"), error("Q8_0"), error("Q4_0")];
        expect(f16).toBeLessThan(q8);
        expect(q8).toBeLessThan(0.05); // a few percent at most
        expect(q4).toBeGreaterThan(3 * q8); // 4-bit steps are 16× coarser than 8-bit
    });
});

function rms(a: Float64Array): number {
    return Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
}

function rmsDiff(a: Float64Array, b: Float64Array): number {
    return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);
}
