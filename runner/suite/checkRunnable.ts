/**
 * What the suite alone says about whether its configs can run, over every combination its matrix makes: refused
 * here, at validation, rather than planned as "run" and found out later.
 * - a quantized KV cache without flash attention (llama.cpp refuses a quantized V cache without it);
 * - a pp/tg test that needs more context than a config has (depth + pp + tg + the one cell node-llama-cpp keeps
 *   free; it would be cut by a context shift);
 * - a parallel test whose sequences do not each fit their context (node-llama-cpp gives every sequence `context`
 *   cells of its own: prompt + gen + the one free cell must fit);
 * - a `maxTokens` that leaves no room for a prompt in the context.
 * What depends on the model (its head size, its memory) is checked when the model is known.
 */
import type { SchemaPath } from "./checkSchema.ts";
import { quantizedKvTypes, type BenchTest, type Indexed, type ParallelTest, type Settings, type SweepableKey } from "./types.ts";

type Fail = (at: SchemaPath, message: string) => never;

interface Written {
    defaults: Partial<Settings>;
    matrix: Partial<{ [K in SweepableKey]: Settings[K][] }>;
    effective: Settings;
    hasPrompts: boolean;
    tests: Indexed<BenchTest>[];
    parallel: Indexed<ParallelTest>[];
}

/** Every value `key` takes across the configs, each with where it is written (or the default's wording). */
function valuesOf<K extends keyof Settings>(suite: Written, key: K): { value: Settings[K]; at: SchemaPath; shown: string }[] {
    const swept = (suite.matrix as Partial<Record<keyof Settings, Settings[K][]>>)[key];
    if (swept != null) return swept.map((value, i) => ({ value, at: ["matrix", key, i], shown: `matrix.${key}` }));
    if (Object.hasOwn(suite.defaults, key)) return [{ value: suite.effective[key], at: ["defaults", key], shown: `defaults.${key}` }];
    return [{ value: suite.effective[key], at: [], shown: `the default ${key}` }];
}

export function checkRunnable(suite: Written, fail: Fail): void {
    const flashOff = valuesOf(suite, "flashAttention").find((entry) => !entry.value);
    if (flashOff != null) {
        const quantized = valuesOf(suite, "kvType").find((entry) => quantizedKvTypes.includes(entry.value));
        if (quantized != null) {
            const but = flashOff.at[0] === "matrix" ? "matrix.flashAttention includes false" : flashOff.at[0] === "defaults" ? "defaults.flashAttention is false" : "flashAttention is false by default";
            fail(quantized.at, `kvType \`${quantized.value}\` needs flashAttention: true (llama.cpp refuses a quantized V cache without it), but ${but}: set flashAttention: true, or sweep quantized KV types in a suite of their own`);
        }
    }

    const contexts = valuesOf(suite, "context");
    const smallest = contexts.reduce((a, b) => (b.value < a.value ? b : a));
    suite.tests.forEach(({ test, index }) => {
        const needed = test.depth + test.pp + test.tg + 1;
        if (needed > smallest.value)
            fail(["tests", index], `test ${test.id} needs ${needed} tokens of context (depth + pp + tg + the cell node-llama-cpp keeps free), more than the context of ${smallest.value} (${smallest.shown}): raise context or shorten the test`);
    });

    suite.parallel.forEach(({ test, index }) => {
        const needed = parallelCellsPerSequence(test);
        const largest = test.sequences.at(-1)!;
        if (needed > smallest.value)
            fail(["tests", index, "parallel"], `test ${test.id} needs ${needed} tokens of context in each sequence (prompt ${test.prompt} + gen ${test.gen} + the cell node-llama-cpp keeps free), more than the context of ${smallest.value} (${smallest.shown}), which each of its up to ${largest} sequences gets: raise context or shorten the test`);
    });

    if (suite.hasPrompts) {
        const largest = valuesOf(suite, "maxTokens").reduce((a, b) => (b.value > a.value ? b : a));
        if (largest.value + 2 > smallest.value)
            fail(largest.at, `maxTokens ${largest.value} leaves no room for a prompt in the context of ${smallest.value} (${smallest.shown}; one cell stays free): expected at most ${smallest.value - 2}`);
    }
}

/** Cells one sequence of a parallel test fills: its prompt, its decodes, and the cell node-llama-cpp keeps free. */
export function parallelCellsPerSequence(test: Pick<ParallelTest, "prompt" | "gen">): number {
    return test.prompt + test.gen + 1;
}
