/**
 * One repetition of one level of a parallel test: `sequences.length` sequences of ONE context, each cleared, fed
 * its prompt (random tokens, BOS first when the model adds one; the same tokens for all when `shared`) with the last
 * position's logits computed and its greedy token taken, then `gen` single-token decodes of random tokens, each
 * computing its token's logits (llama-batched-bench's workload: tools/batched-bench/batched-bench.cpp).
 *
 * All sequences run at once, each awaiting only its own calls, and node-llama-cpp batches what they queue: its
 * LlamaContext collects the decodes queued by every sequence and dispatches one `llama_decode` batch as soon as
 * every sequence has queued (else on the next event-loop turn, `batching.dispatchSchedule: "nextCycle"`), the batch
 * slots shared out by its `maximumParallelism` strategy up to the context's `batchSize`. So a level's prompts go
 * through in batches of up to `batch` tokens mixing every sequence, and each decode step is one batch holding one
 * token of every sequence, as llama-batched-bench's is.
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
    const prompts = sequences.map(() => sharedPrompt ?? randomTokens(random, test.prompt, vocabSize, bos));
    const decodes = sequences.map(() => randomTokens(random, test.gen, vocabSize));
    const times = sequences.map((): number[] => []);
    let decoding = false;

    env.onPhase?.("prefill");
    const start = performance.now();
    await Promise.all(sequences.map(async (sequence, i) => {
        const prompt = prompts[i]!;
        await sequence.controlledEvaluate([...prompt.slice(0, -1), [prompt.at(-1)!, { generateNext: { token: true } }]]);
        times[i]!.push(performance.now() - start);
        for (const token of decodes[i]!) {
            if (!decoding) {
                decoding = true;
                env.onPhase?.("decode");
            }
            await sequence.controlledEvaluate([[token, { generateNext: { token: true } }]]);
            times[i]!.push(performance.now() - start);
        }
    }));
    const kvCells = sequences.reduce((sum, sequence) => sum + sequence.nextTokenIndex, 0);
    return { sequenceTimesMs: times, kvCells };
}
