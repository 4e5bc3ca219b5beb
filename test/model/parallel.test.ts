/**
 * Parallel (serving-load) levels on a real model: one context of N sequences per level, evaluated together through
 * node-llama-cpp's batching, every figure traceable to the sequences' token times.
 */
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { Token } from "node-llama-cpp";
import { measureConfig } from "../../runner/measure/measureConfig.ts";
import { LlamaLog } from "../../runner/measure/llamaLog.ts";
import { createContext, openModel } from "../../runner/measure/openModel.ts";
import { takeEngineTimings } from "../../runner/measure/engineTimings.ts";
import { tokenRandom } from "../../runner/measure/randomTokens.ts";
import { runParallelLevel } from "../../runner/measure/runParallelLevel.ts";
import { parallelLevelMetrics } from "../../runner/stats/metrics.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { ChildResult } from "../../runner/results.ts";
import { defaultSettings, type ParallelTest } from "../../runner/suite/types.ts";
import { testModels } from "./testModels.ts";

const models = await testModels();
/** synthetic-llama-25m-q4_k_m.gguf, else synthetic small Q4_0. */
const small = models.small.path;
const parallel: ParallelTest = { id: "par:pp32+tg16", sequences: [1, 2], prompt: 32, gen: 16, shared: false, rise: 0.1, itlP90Ms: null };

function config(params: Partial<Config["params"]>, tests: ParallelTest[]): Config {
    return {
        id: "parallel", label: path.basename(small), model: { source: "path", path: small },
        params: { ...defaultSettings, context: 256, batch: 512, threads: 1, repetitions: 2, warmup: 1, ...params },
        prompts: [], tests: [], parallel: tests
    };
}

describe(`parallel levels on ${path.basename(small)}`, () => {
    let result: ChildResult;
    beforeAll(async () => {
        result = await measureConfig(config({}, [parallel]), small);
    });

    test("one measurement per level and repetition, each sequence's token times kept, in order", () => {
        expect(result.measurements.map((m) => `${m.kind} ${m.prompt} ${m.rep}`))
            .toEqual(["parallel np1:pp32+tg16 0", "parallel np1:pp32+tg16 1", "parallel np2:pp32+tg16 0", "parallel np2:pp32+tg16 1"]);
        for (const m of result.measurements) {
            const sequences = m.metrics.sequences!;
            expect(m.sequenceTimesMs).toHaveLength(sequences);
            for (const times of m.sequenceTimesMs!) {
                // the prompt's token, then one per decode step
                expect(times).toHaveLength(parallel.gen + 1);
                expect([...times].sort((a, b) => a - b)).toEqual(times);
                expect(times[0]).toBeGreaterThan(0);
            }
        }
    });

    test("every timing figure is the one the token times give, and the KV cells are every sequence's tokens", () => {
        for (const m of result.measurements) {
            const sequences = m.sequenceTimesMs!.length;
            expect(m.metrics).toMatchObject(parallelLevelMetrics({ sequenceTimesMs: m.sequenceTimesMs!, prompt: parallel.prompt, gen: parallel.gen }));
            expect(m.metrics.decodeTps).toBeGreaterThan(0);
            expect(m.metrics.prefillTps).toBeGreaterThan(0);
            expect(m.metrics.kvCells).toBe(sequences * (parallel.prompt + parallel.gen));
            expect(m.metrics.levelRssBytes).toBeGreaterThan(0);
            expect(m.metrics.levelPeakRssBytes).toBeGreaterThanOrEqual(m.metrics.levelRssBytes! * 0.99);
            // llama.cpp's own decode time lies inside the wall time of the level
            expect(m.metrics.engineMs).toBeGreaterThan(0);
            expect(m.metrics.engineMs).toBeLessThanOrEqual(m.metrics.pgMs!);
        }
        expect(result.warnings.filter((w) => w.kind === "parallelLevelSkipped" || w.kind === "threadSplit")).toEqual([]);
    });

    test("sequences decode in lockstep: each step's tokens come back from one batch, not out of phase", () => {
        for (const m of result.measurements.filter((x) => x.sequenceTimesMs!.length === 2)) {
            const [a, b] = m.sequenceTimesMs! as [number[], number[]];
            // per decode step: how far apart the two sequences' tokens came back, against the step's length; out of
            // phase (each sequence's token in its own decode, one after the other) that share is about one half
            const shares = a.slice(1).map((t, k) => Math.abs(t - b[k + 1]!) / Math.max(a[k + 1]! - a[k]!, b[k + 1]! - b[k]!));
            const median = [...shares].sort((x, y) => x - y)[Math.floor(shares.length / 2)]!;
            expect(median).toBeLessThan(0.25);
        }
    });

    test("a level whose context cannot fit is skipped with the reason, and so is every level above it", async () => {
        const huge: ParallelTest = { ...parallel, id: "par:pp8+tg4", prompt: 8, gen: 4, sequences: [1, 1_000_000, 2_000_000] };
        const skipped = await measureConfig(config({ repetitions: 1, warmup: 0 }, [huge]), small);
        expect(skipped.measurements.map((m) => m.prompt)).toEqual(["np1:pp8+tg4"]);
        const warning = skipped.warnings.find((w) => w.kind === "parallelLevelSkipped");
        expect(warning).toMatchObject({ kind: "parallelLevelSkipped", test: "par:pp8+tg4", sequences: 1_000_000 });
        expect((warning as { reason: string }).reason).toMatch(/^a context of 1000000 × 256 cells needs ~.* (RAM|VRAM)/);
        expect(skipped.warnings.filter((w) => w.kind === "parallelLevelSkipped")).toHaveLength(1);
    });
});

describe(`a shared prompt on ${path.basename(small)}`, () => {
    test("is evaluated once and copied: llama.cpp counts one prompt, every sequence holds it, and the copies give the same next-token distribution", async () => {
        const log = new LlamaLog();
        const params = { ...defaultSettings, context: 64, batch: 64, threads: 1 };
        // the process's one Llama, whose logger carries llama.cpp's counters (openModel.ts, sharedLlama)
        const opened = await openModel(small, params, log);
        await opened.context.dispose();
        const context = await createContext(opened.model, params, opened.threadSwitch, log, [], 3);
        try {
            const sequences = [context.getSequence(), context.getSequence(), context.getSequence()];
            const vocabSize = opened.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
            const bos = opened.model.tokens.shouldPrependBosToken ? opened.model.tokens.bos : null;
            await takeEngineTimings(context, log);
            const run = await runParallelLevel(sequences, { prompt: 24, gen: 4, shared: true }, { random: tokenRandom(7), vocabSize, bos });
            const engine = await takeEngineTimings(context, log);
            // llama.cpp counts every batch of more than one token as prompt work: the prompt once (24, not 3 × 24),
            // then 4 decode steps of one token per sequence
            expect(engine?.promptEvalTokens).toBe(24 + 4 * 3);
            expect(run.kvCells).toBe(3 * (24 + 4));
            const firsts = run.sequenceTimesMs.map((times) => times[0]!);
            expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
            const prefixes = sequences.map((sequence) => sequence.contextTokens.slice(0, 24).join(","));
            expect(new Set(prefixes).size).toBe(1);
            // the same next token after the same 24 cells gives the same distribution only if the cells were copied
            for (const sequence of sequences) await sequence.eraseContextTokenRanges([{ start: 24, end: sequence.nextTokenIndex }]);
            const next = await Promise.all(sequences.map(async (sequence) => {
                const [result] = await sequence.controlledEvaluate([[3 as Token, { generateNext: { probabilities: true } }]]);
                return [...result!.next!.probabilities!.entries()].slice(0, 5);
            }));
            for (const other of next.slice(1)) {
                expect(other.map(([token]) => token)).toEqual(next[0]!.map(([token]) => token));
                other.forEach(([, p], k) => expect(p).toBeCloseTo(next[0]![k]![1], 5));
            }
        } finally {
            await context.dispose();
            opened.threadSwitch.release();
            await opened.model.dispose();
        }
    });
});
