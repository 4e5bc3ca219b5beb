/**
 * One request through `sequence.evaluate(...)`, node-llama-cpp's lowest-overhead public generation path (no chat
 * session, no per-token detokenizing, no stop-trigger search): the prompt is decoded in batches, then one token per
 * step is sampled and fed back, until an end-of-generation token or `maxTokens`.
 *
 * - `timestamps: true` (stream mode) reads `performance.now()` as each token is yielded, before anything else.
 * - `timestamps: false` (batch mode) runs the very same loop and times only the whole request, so stream and batch
 *   differ by nothing but the timestamping.
 * Nothing is detokenized inside the loop unless `onText` is given (ad-hoc echo: the caller records a warning).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";

export interface GenerateOptions {
    maxTokens: number;
    temperature: number;
    seed: number;
    /** Timestamp every token (stream mode). */
    timestamps: boolean;
    /** Called once when the first token is in hand (phase bookkeeping: one atomic store). */
    onFirstToken?(): void;
    /** Echo text as it is generated (detokenizes inside the loop). */
    onText?(text: string): void;
}

export interface Generation {
    tokens: Token[];
    /** ms from submitting the prompt to each token in hand; empty in batch mode. */
    tokenTimesMs: number[];
    /** ms from submitting the prompt to the generator finishing (EOG seen, or `maxTokens` reached). */
    e2eMs: number;
}

export async function generate(sequence: LlamaContextSequence, prompt: Token[], options: GenerateOptions): Promise<Generation> {
    const { maxTokens, temperature, seed, timestamps, onFirstToken, onText } = options;
    const tokens: Token[] = [];
    const tokenTimesMs: number[] = [];
    const model = sequence.model;
    const start = performance.now();
    if (maxTokens > 0) {
        for await (const token of sequence.evaluate(prompt, { temperature, seed })) {
            if (timestamps) tokenTimesMs.push(performance.now() - start);
            tokens.push(token);
            if (tokens.length === 1) onFirstToken?.();
            if (onText != null) onText(model.detokenize([token], false, tokens.slice(-17, -1)));
            if (tokens.length >= maxTokens) break;
        }
    }
    const e2eMs = performance.now() - start;
    return { tokens, tokenTimesMs, e2eMs };
}
