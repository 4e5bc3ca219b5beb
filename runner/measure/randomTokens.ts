/**
 * llama-bench's workload: uniformly random token ids, BOS first when the model adds one (test_prompt / test_gen in
 * tools/llama-bench/llama-bench.cpp). llama-bench draws from `std::rand()`; here a seeded mulberry32 so a config's
 * tokens are the same on every run and machine.
 */
import type { Token } from "node-llama-cpp";

/** A seeded PRNG returning integers in [0, bound). */
export function tokenRandom(seed: number): (bound: number) => number {
    let state = seed >>> 0;
    return (bound) => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        return Math.floor(unit * bound);
    };
}

/** `count` random tokens of a `vocabSize` vocabulary; the first is `bos` when given (a sequence's start). */
export function randomTokens(random: (bound: number) => number, count: number, vocabSize: number, bos?: Token | null): Token[] {
    const tokens: Token[] = [];
    for (let i = 0; i < count; i++) tokens.push((i === 0 && bos != null ? bos : random(vocabSize)) as Token);
    return tokens;
}
