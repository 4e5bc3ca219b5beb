/**
 * The parallel (serving-load) tests of a config: for each test, level by level upwards, ONE context with that many
 * sequences (each with its own `context` cells, as node-llama-cpp gives them), `warmup` unmeasured repetitions and
 * `repetitions` measured ones of runParallelLevel.ts, then the context is disposed. Runs after the prompts and pp/tg
 * tests, once the config's one-sequence context is gone, so each level's memory is its own context's and the model's.
 *
 * Before a level's context is made, node-llama-cpp's estimate for it is checked against the memory free now
 * (plan/configFit.ts, sequencesFit); a level that will not fit, or that llama.cpp refuses to make, is skipped with the
 * reason as a warning, and so is every level above it (they need more).
 *
 * Threads: prompts run at `threadsBatch`; decode steps at `threads` with one sequence and at `threadsBatch` with
 * more, as llama.cpp itself picks `n_threads` for one-token batches and `n_threads_batch` for larger ones.
 */
import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import type { Measurement, Phase } from "../results.ts";
import type { ParallelTest, Settings } from "../suite/types.ts";
import { parallelLevelId } from "../suite/parallelIds.ts";
import { sequencesFit } from "../plan/configFit.ts";
import type { Warning } from "../warnings.ts";
import { takeEngineTimings } from "./engineTimings.ts";
import type { LlamaLog } from "./llamaLog.ts";
import { parallelLevelMetrics } from "../stats/metrics.ts";
import { createContext, type OpenModel } from "./openModel.ts";
import { readPeakRssBytes } from "./peakRss.ts";
import { tokenRandom } from "./randomTokens.ts";
import type { RssSampler } from "./rssSampler.ts";
import { runParallelLevel } from "./runParallelLevel.ts";

export interface ParallelRun {
    opened: OpenModel;
    log: LlamaLog;
    sampler: RssSampler;
    report(phase: Phase, step: string, tps?: number): void;
    warnings: Warning[];
    checkThreads(context: LlamaContext, kind: "batch" | "decode"): void;
    warmup: { ms: number };
    units: { done: number; total: number };
}

/** Runs (warm-up and measured) one parallel test makes; the progress bar counts them. */
export function parallelUnits(tests: readonly ParallelTest[], params: Settings): number {
    return tests.reduce((sum, test) => sum + test.sequences.length * (params.warmup + params.repetitions), 0);
}

export async function measureParallel(run: ParallelRun, tests: readonly ParallelTest[], params: Settings): Promise<Measurement[]> {
    const { opened: { model, llama, threadSwitch }, log, report } = run;
    const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;
    if (vocabSize <= 0) throw new Error("cannot run parallel tests: the model file does not list its vocabulary");
    const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
    const random = tokenRandom(params.seed);
    const measurements: Measurement[] = [];
    for (const test of tests) {
        for (const [levelIndex, sequences] of test.sequences.entries()) {
            const id = parallelLevelId(test, sequences);
            const runs = params.warmup + params.repetitions;
            const skip = (reason: string) => {
                run.warnings.push({ kind: "parallelLevelSkipped", test: test.id, sequences, reason });
                run.units.done += runs * (test.sequences.length - levelIndex);
            };
            const fit = await sequencesFit(model, params, sequences);
            if (!fit.fits) {
                skip(`a context of ${sequences} × ${params.context} cells ${fit.reason}`);
                break;
            }
            threadSwitch.forContext();
            const vramBefore = llama.gpu === false ? null : (await llama.getVramState()).used;
            let context: LlamaContext;
            try {
                context = await createContext(model, params, threadSwitch, log, run.warnings, sequences);
            } catch (error) {
                skip(`llama.cpp could not make a context of ${sequences} × ${params.context} cells: ${(error as Error).message}`);
                break;
            }
            try {
                const seqs: LlamaContextSequence[] = Array.from({ length: sequences }, () => context.getSequence());
                const decodeKind = sequences === 1 ? "decode" : "batch";
                for (let i = 0; i < runs; i++) {
                    const rep = i - params.warmup;
                    const measured = rep >= 0;
                    const step = measured ? `${id} rep ${rep + 1}/${params.repetitions}` : `${id} warmup ${i + 1}/${params.warmup}`;
                    report(measured ? "prefill" : "warmup", step);
                    await takeEngineTimings(context, log); // reset: the next print covers this repetition only
                    const result = await runParallelLevel(seqs, test, {
                        random, vocabSize, bos,
                        onPhase: (phase) => {
                            if (phase === "prefill") threadSwitch.batch();
                            else if (decodeKind === "decode") threadSwitch.decode();
                            else threadSwitch.batch();
                            if (measured) run.sampler.setPhase(phase);
                        }
                    });
                    run.units.done++;
                    run.checkThreads(context, test.gen > 0 ? decodeKind : "batch");
                    const engine = await takeEngineTimings(context, log);
                    const metrics = parallelLevelMetrics({ sequenceTimesMs: result.sequenceTimesMs, prompt: test.prompt, gen: test.gen, shared: test.shared });
                    if (!measured) {
                        run.warmup.ms += metrics.pgMs ?? 0;
                        continue;
                    }
                    metrics.kvCells = result.kvCells;
                    // memory with the level's context alive and every sequence's cells filled
                    metrics.levelRssBytes = process.memoryUsage.rss();
                    metrics.levelPeakRssBytes = readPeakRssBytes();
                    if (vramBefore != null) metrics.levelVramBytes = Math.max(0, (await llama.getVramState()).used - vramBefore);
                    if (engine != null && engine.promptEvalMs + engine.evalMs > 0) metrics.engineMs = engine.promptEvalMs + engine.evalMs;
                    measurements.push({ kind: "parallel", prompt: id, rep, metrics, sequenceTimesMs: result.sequenceTimesMs });
                    report("decode", step, metrics.decodeTps);
                }
            } finally {
                await context.dispose();
            }
        }
    }
    threadSwitch.forContext();
    return measurements;
}
