/**
 * One repetition of a llama-bench style test (tools/llama-bench/llama-bench.cpp: test_prompt, test_gen, and the
 * depth handling in main): the sequence is cleared, `depth` random tokens are evaluated untimed, then
 * - pp N: N random tokens (BOS first when the model adds one) evaluated with no sampling; node-llama-cpp splits them
 *   into batches of the context's `batchSize`, as llama-bench does with `n_batch`;
 * - tg N: N single-token decodes of random tokens (BOS first), each awaited before the next, each computing the
 *   logits of its token as llama-bench's decodes do;
 * - pg: pp then tg, timed back to back as llama-bench times the pair.
 * The tg decodes ask for the next token (greedy), because that is node-llama-cpp's only public way to have llama.cpp
 * compute a token's logits: without it llama.cpp skips the output layer, which is a tenth of a token's work on the
 * 360M synthetic model (tg128 at one thread, measured in one process: 36.0 tok/s without logits, 32.6 with, against
 * llama-bench's 32.7). The greedy pick itself is what every generating application does; it is not llama-bench's,
 * and it shows on tiny models (25M: 788 → 630 tok/s, about 0.3 ms per token with the extra call into the addon).
 * Engine counters (llama.cpp's eval time) cover the same work as llama-bench's figure; the application figure adds
 * the pick. pp asks for no logits, where llama-bench computes them for the last token of each batch: one row of
 * the output layer per batch.
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { BenchTest } from "../suite/types.ts";
import { randomTokens } from "./randomTokens.ts";

export interface BenchTestRun {
    ppMs?: number;
    tgMs?: number;
}

export interface BenchTestEnv {
    random: (bound: number) => number;
    vocabSize: number;
    bos: Token | null;
    /** Called between the untimed depth fill and the timed part (e.g. to reset the engine counters). */
    beforeTimed?(): Promise<void>;
    onPhase?(phase: "prefill" | "decode"): void;
}

export async function runBenchTest(sequence: LlamaContextSequence, test: BenchTest, env: BenchTestEnv): Promise<BenchTestRun> {
    const { random, vocabSize, bos } = env;
    await sequence.clearHistory();
    if (test.depth > 0) {
        env.onPhase?.("prefill");
        await sequence.evaluateWithoutGeneratingNewTokens(randomTokens(random, test.depth, vocabSize, bos));
    }
    const ppTokens = test.pp > 0 ? randomTokens(random, test.pp, vocabSize, bos) : [];
    const tgTokens = test.tg > 0 ? randomTokens(random, test.tg, vocabSize, bos) : [];
    await env.beforeTimed?.();

    const run: BenchTestRun = {};
    // the phase switch wakes the RSS sampler: before the timer starts, not inside the timed prefill
    if (ppTokens.length > 0) env.onPhase?.("prefill");
    const start = performance.now();
    if (ppTokens.length > 0) {
        await sequence.evaluateWithoutGeneratingNewTokens(ppTokens);
        run.ppMs = performance.now() - start;
    }
    if (tgTokens.length > 0) {
        env.onPhase?.("decode");
        const tgStart = performance.now();
        for (const token of tgTokens) await sequence.controlledEvaluate([[token, { generateNext: { token: true } }]]);
        run.tgMs = performance.now() - tgStart;
    }
    return run;
}

/** `pp`, `tg` or `pg` for a test. */
export function benchTestKind(test: BenchTest): "pp" | "tg" | "pg" {
    if (test.pp > 0 && test.tg > 0) return "pg";
    return test.pp > 0 ? "pp" : "tg";
}
