/**
 * One repetition of one level of a parallel test: `sequences.length` sequences of ONE context, each cleared, fed
 * its prompt (random tokens, BOS first when the model adds one) with the last position's logits computed and its
 * greedy token taken, then `gen` single-token decodes of random tokens, each computing its token's logits
 * (llama-batched-bench's workload: tools/batched-bench/batched-bench.cpp).
 *
 * A `shared` prompt is evaluated once, by the first sequence, and its cells are then copied to every other sequence
 * (llama.cpp's `llama_memory_seq_cp`, as llama-batched-bench's `-pps` and a server's prompt cache do); each copy's
 * time is that sequence's first "token" (it holds the first sequence's logits, so its greedy token is the same). With
 * the KV cache split per sequence (node-llama-cpp's `kv_unified = false`), llama.cpp moves the copied cells at the next
 * decode, so the first decode step pays for the copies; llama-batched-bench pays for them in an untimed dummy decode.
 *
 * The sequences run in lockstep, as llama-batched-bench's do and as a server's continuous batching steps them: every
 * prompt is queued at once, then each decode step queues one token of every sequence in the same tick and waits for
 * all of them. node-llama-cpp's LlamaContext collects what is queued and dispatches one `llama_decode` batch once
 * every sequence has queued (the batch slots shared out by its `maximumParallelism` strategy up to the context's
 * `batchSize`), so a level's prompts go through in batches of up to `batch` tokens mixing every sequence, and each
 * decode step is one batch holding one token of every sequence. Left to run each at its own pace, the sequences fall
 * out of phase: node-llama-cpp's dispatch loop re-checks its queue the moment a batch ends, before the sequence whose
 * result came back last has queued its next token, so four sequences decoded 3 tokens per batch (43 decodes for
 * 128 tokens instead of 32: a third more work; tools/decode-probe/README.md, "Four sequences per step").
 *
 * Timing: `performance.now()` on this thread as each sequence's token is in hand, from the level's start: the raw
 * samples every figure of the level is computed from (metrics.ts, parallelLevelMetrics).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { ParallelTest } from "../suite/types.ts";
import { randomTokens } from "./randomTokens.ts";

export interface ParallelLevelEnv {
    random: (bound: number) => number;
    vocabSize: number;
    bos: Token | null;
    /** Called before the timed prompts (`prefill`) and when the first sequence moves on to its decodes (`decode`). */
    onPhase?(phase: "prefill" | "decode"): void;
}

export interface ParallelLevelRun {
    /** Per sequence: ms from the level's start to each token in hand, the first from its prompt. */
    sequenceTimesMs: number[][];
    /** Cells the sequences hold after the level (the sum of their state lengths, as node-llama-cpp counts them). */
    kvCells: number;
}

export async function runParallelLevel(sequences: readonly LlamaContextSequence[], test: Pick<ParallelTest, "prompt" | "gen" | "shared">, env: ParallelLevelEnv): Promise<ParallelLevelRun> {
    const { random, vocabSize, bos } = env;
    await Promise.all(sequences.map((sequence) => sequence.clearHistory()));
    const sharedPrompt = test.shared ? randomTokens(random, test.prompt, vocabSize, bos) : null;
    const prompts = sharedPrompt == null ? sequences.map(() => randomTokens(random, test.prompt, vocabSize, bos)) : [];
    const decodes = sequences.map(() => randomTokens(random, test.gen, vocabSize));
    const times = sequences.map((): number[] => []);

    env.onPhase?.("prefill");
    const start = performance.now();
    // each call's token is timed as it comes back; a step waits for every sequence before the next is queued
    const evaluateAll = (items: (i: number) => Parameters<LlamaContextSequence["controlledEvaluate"]>[0]) =>
        Promise.all(sequences.map(async (sequence, i) => {
            await sequence.controlledEvaluate(items(i));
            times[i]!.push(performance.now() - start);
        }));
    const promptItems = (prompt: Token[]): Parameters<LlamaContextSequence["controlledEvaluate"]>[0] =>
        [...prompt.slice(0, -1), [prompt.at(-1)!, { generateNext: { token: true } }]];
    if (sharedPrompt == null) await evaluateAll((i) => promptItems(prompts[i]!));
    else {
        const [first, ...others] = sequences;
        await first!.controlledEvaluate(promptItems(sharedPrompt));
        times[0]!.push(performance.now() - start);
        for (const [k, sequence] of others.entries()) {
            await copyCells(sequence, first!, sharedPrompt.length);
            times[k + 1]!.push(performance.now() - start);
        }
    }
    if (test.gen > 0) env.onPhase?.("decode");
    for (let step = 0; step < test.gen; step++) await evaluateAll((i) => [[decodes[i]![step]!, { generateNext: { token: true } }]]);
    const kvCells = sequences.reduce((sum, sequence) => sum + sequence.nextTokenIndex, 0);
    return { sequenceTimesMs: times, kvCells };
}

/**
 * node-llama-cpp's own way to give a sequence another's cells, which its LlamaDecisionContext uses to share a prefix
 * (`llama_memory_seq_cp`, then the copied tokens kept as the target's history). It is internal in node-llama-cpp
 * 3.22, so its presence and its answer are checked rather than assumed.
 */
type CopyingSequence = LlamaContextSequence & {
    _copyStateFromOtherSequence?(source: LlamaContextSequence, upToTokenIndex: number): Promise<boolean>;
};

export async function copyCells(target: LlamaContextSequence, source: LlamaContextSequence, tokens: number): Promise<void> {
    const copy = (target as CopyingSequence)._copyStateFromOtherSequence;
    if (typeof copy !== "function")
        throw new Error("this node-llama-cpp cannot copy a sequence's cells to another (no _copyStateFromOtherSequence): run the parallel test without `shared`");
    if (!(await copy.call(target, source, tokens)) || target.nextTokenIndex !== tokens)
        throw new Error(`node-llama-cpp did not copy the shared prompt's ${tokens} cells to another sequence (it holds ${target.nextTokenIndex})`);
}
