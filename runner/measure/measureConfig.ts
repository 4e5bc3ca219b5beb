/**
 * Everything one child does for one config, free of IPC: load, then for each prompt and test `warmup` unmeasured
 * runs and `repetitions` measured ones, each from an empty sequence, while a worker samples RSS.
 *
 * Where the numbers come from:
 * - `ttftMs`, token times, `decodeMs`/`decodeTps`, ITL and `e2eMs`: `performance.now()` on this thread around
 *   `sequence.evaluate(...)` (see generate.ts): what an application on node-llama-cpp sees.
 * - `prefillMs` (stream mode): llama.cpp's own "prompt eval" counter for the same request. Through the public API
 *   the prompt decode and the sampling of the first token happen inside one awaited step, so the wall clock cannot
 *   split ttft without changing the work (feeding the prompt without generation and then the last token again
 *   would add a decode step). The counter times exactly the prompt batches of this request (counters are reset
 *   right before it), so `prefillTps` equals `enginePrefillTps` whenever llama.cpp counted the whole prompt as
 *   prompt eval; when it did not (a 1-token prompt or a 1-token last batch is filed under "eval"), `prefillMs` is
 *   left out. `ttftMs − prefillMs` is then node-llama-cpp's overhead plus the first sampling.
 * - `enginePrefillTps` / `engineDecodeTps`: llama.cpp's counters (engineTimings.ts) for each measured request.
 * - pp/tg/pg tests: wall clock around `evaluateWithoutGeneratingNewTokens` (runBenchTest.ts), plus the counters.
 * - parallel tests: after those, the one-sequence context disposed, a context of N sequences per level
 *   (measureParallel.ts), every sequence's token times kept.
 * - quality (the suite's `quality:` block): after the prompts and tests, in a context of its own (quality/measureQuality.ts);
 *   `peakRssBytes` is read before it, so speed and memory figures are the same with or without a quality pass, and
 *   the pass's own high-water mark goes with its record.
 * Threads: prompt and pp batches run at `threadsBatch`, single-token decodes at `threads` (threadSwitch.ts). The
 * switch to decode threads happens once the first token is in hand, so in stream mode and pg tests it falls inside
 * the timed request (one property store and one native getter for the check: microseconds, against a decode step).
 */
import { describeEngine, uvThreadpoolSize } from "../engine/engineInfo.ts";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { ReferenceInput } from "../protocol/protocol.ts";
import type { Config, QualityPlan } from "../plan/types.ts";
import type { ChildResult, Measurement, Metrics, Phase, QualityRecord } from "../results.ts";
import type { Prompt, Settings } from "../suite/types.ts";
import { takeEngineTimings } from "./engineTimings.ts";
import { generate } from "./generate.ts";
import { LlamaLog } from "./llamaLog.ts";
import { batchMetrics, benchTestMetrics, engineMetrics, streamMetrics } from "../stats/metrics.ts";
import { createContext, openModel, type OpenModel } from "./openModel.ts";
import { measureQuality, prepareCorpus } from "./quality/measureQuality.ts";
import { readPeakRssBytes } from "./peakRss.ts";
import { promptTokens } from "./promptTokens.ts";
import { tokenRandom } from "./randomTokens.ts";
import { benchTestKind, runBenchTest } from "./runBenchTest.ts";
import { peakSampledRss, startRssSampler, type RssSampler } from "./rssSampler.ts";
import { downsampleRss } from "../stats/downsampleRss.ts";
import { measureParallel, parallelUnits } from "./measureParallel.ts";
import { uniqueWarnings, type Warning } from "../warnings.ts";
import { dict } from "../dict.ts";

export interface MeasureProgress {
    phase: Phase;
    /** What is running, e.g. `explain rep 2/3`. */
    step: string;
    /** Latest decode tokens/s, if known. */
    tps?: number;
    /** Share of the config's runs and quality chunks done, 0 to 1. */
    fraction?: number;
}

export interface MeasureHooks {
    onProgress?(progress: MeasureProgress): void;
    /** Ad-hoc mode: echo the generated text of the last measured repetition as it comes. */
    onText?(text: string): void;
}

/**
 * The settings of a quality pass: the config's, with a context of the chunk size and llama-perplexity's default
 * micro-batch (512, llama.cpp's n_ubatch), so a chunk is split into decode calls where llama-perplexity splits it.
 */
export function qualityParams(params: Config["params"], quality: QualityPlan): Config["params"] {
    return { ...params, context: quality.context, batch: Math.min(512, quality.context) };
}

export async function measureConfig(config: Config, modelPath: string, hooks: MeasureHooks = {}, reference?: ReferenceInput): Promise<ChildResult> {
    const params = config.params;
    const log = new LlamaLog();
    const sampler = await startRssSampler();
    const parallel = config.parallel ?? [];
    const speed = config.prompts.length + config.tests.length + parallel.length > 0;
    const units = { done: 0, total: (params.warmup + params.repetitions) * (config.prompts.length + config.tests.length) + parallelUnits(parallel, params) };
    const report = (phase: Phase, step: string, tps?: number) => {
        sampler.setPhase(phase);
        const fraction = units.total > 0 ? Math.min(1, units.done / units.total) : undefined;
        hooks.onProgress?.({ phase, step, ...(tps != null ? { tps } : {}), ...(fraction != null ? { fraction } : {}) });
    };
    let opened: OpenModel | undefined;
    try {
        report("load", `loading ${modelPath}`);
        // a quality-only config opens its one context at the quality pass's size
        const openParams = speed || config.quality == null ? params : qualityParams(params, config.quality);
        opened = await openModel(modelPath, openParams, log, config.quality?.context ?? params.context);
        const { model } = opened;
        let context = opened.context;
        // tokenized now: a corpus or context that cannot make a chunk fails before any measuring, and the progress
        // bar knows the whole config's work
        const corpus = config.quality != null ? prepareCorpus(model, config.quality, opened.warnings) : undefined;
        if (corpus != null) units.total += corpus.layout.chunks;
        const warnings = [...opened.warnings];
        const sequence = context.getSequence();
        const measurements: Measurement[] = [];
        const outputs: Record<string, string> = dict();
        const threadWarnings = new Map<string, Warning>();
        const checkThreads = (kind: "batch" | "decode") => {
            const warning = opened!.threadSwitch.check(context, kind);
            if (warning != null) threadWarnings.set(JSON.stringify(warning), warning);
        };
        const warmup = { ms: 0 };
        const run = { sequence, opened, log, sampler, report, warnings, hooks, checkThreads, warmup, units };

        for (const prompt of config.prompts) {
            const { measurements: promptMeasurements, output } = await measurePrompt(run, prompt, params);
            measurements.push(...promptMeasurements);
            outputs[prompt.id] = output;
        }
        if (config.tests.length > 0) measurements.push(...await measureTests(run, config, params));
        let contextAlive = true;
        if (parallel.length > 0) {
            // each level makes its own context: the one-sequence context goes first, so a level's memory is its own
            await context.dispose();
            contextAlive = false;
            measurements.push(...await measureParallel({
                opened, log, sampler, report, warnings, warmup, units,
                checkThreads: (levelContext, kind) => {
                    const warning = opened!.threadSwitch.check(levelContext, kind);
                    if (warning != null) threadWarnings.set(JSON.stringify(warning), warning);
                }
            }, parallel, params));
        }
        if (hooks.onText != null && config.prompts.length > 0)
            warnings.push({ kind: "echoInTimedLoop" });

        warnings.push(...threadWarnings.values());

        // speed and memory figures stop here, so they are the same whether or not a quality pass follows
        const peakBeforeQuality = readPeakRssBytes();
        let quality: QualityRecord | undefined;
        if (config.quality != null && corpus != null) {
            let qualitySequence = sequence;
            if (speed) {
                if (contextAlive) await context.dispose();
                // back to the context's full thread count (decode left the budget at the decode threads)
                opened.threadSwitch.forContext();
                context = await createContext(model, qualityParams(params, config.quality), opened.threadSwitch, log, warnings);
                qualitySequence = context.getSequence();
                contextAlive = true;
            }
            report("quality", "quality chunk 0");
            quality = await measureQuality({
                model, sequence: qualitySequence, plan: config.quality, corpus, ...(reference != null ? { reference } : {}),
                beforeBatches: () => opened!.threadSwitch.batch(),
                onChunk: (done, total) => {
                    units.done++;
                    report("quality", `quality chunk ${done}/${total}`);
                }
            });
        }

        report("unload", "unloading");
        if (contextAlive) await context.dispose();
        opened.threadSwitch.release();
        await model.dispose();
        const rssTimeline = await sampler.stop();
        const peakRssBytes = speed ? peakBeforeQuality : readPeakRssBytes();
        // the cross-check covers what peakRssBytes covers: the samples before the quality pass, when it follows speed runs
        const qualityFrom = rssTimeline.findIndex((sample) => sample.phase === "quality");
        const sampledPeak = peakSampledRss(speed && qualityFrom >= 0 ? rssTimeline.slice(0, qualityFrom) : rssTimeline);
        if (sampledPeak > peakRssBytes * 1.01)
            warnings.push({ kind: "rssAboveMaxRss", sampledBytes: sampledPeak, maxRssBytes: peakRssBytes });
        warnings.push(...log.warnings());
        return {
            loadMs: opened.loadMs,
            warmupMs: warmup.ms,
            peakRssBytes,
            vramBytes: opened.vramBytes,
            threads: opened.threads,
            threadsBatch: opened.threadsBatch,
            backend: opened.backend,
            engine: { ...describeEngine(opened.llama), uvThreadpoolSize: uvThreadpoolSize(process.env.UV_THREADPOOL_SIZE) },
            ran: opened.ran,
            measurements,
            ...(quality != null ? { quality } : {}),
            // the whole timeline was checked above; the record keeps a bounded, deterministic part of it
            rssTimeline: downsampleRss(rssTimeline),
            outputs,
            // once each: the quality pass's second context repeats the first one's checks
            warnings: uniqueWarnings(warnings)
        };
    } finally {
        await sampler.stop().catch(() => undefined);
        opened?.threadSwitch.release();
        if (opened != null && !opened.model.disposed) await opened.model.dispose().catch(() => undefined);
    }
}

interface Run {
    sequence: LlamaContextSequence;
    opened: OpenModel;
    log: LlamaLog;
    sampler: RssSampler;
    report(phase: Phase, step: string, tps?: number): void;
    warnings: Warning[];
    hooks: MeasureHooks;
    /** Record a warning if llama.cpp's last decode did not run at the thread count of this kind. */
    checkThreads(kind: "batch" | "decode"): void;
    /** Model work of the warm-up runs, timed as the measured runs are (e2e; pp + tg). */
    warmup: { ms: number };
    /** Runs and quality chunks done, of all the config has: the progress bar's fraction. */
    units: { done: number; total: number };
}

async function measurePrompt(run: Run, prompt: Prompt, params: Settings): Promise<{ measurements: Measurement[]; output: string }> {
    const { sequence, opened: { model, context, threadSwitch }, log, sampler, report, warnings, hooks, checkThreads } = run;
    const tokens: Token[] = promptTokens(model, prompt);
    if (tokens.length >= context.contextSize)
        throw new Error(`prompt ${prompt.id} has ${tokens.length} tokens, more than the context of ${context.contextSize}: raise context`);
    if (tokens.length + params.maxTokens + 1 > context.contextSize) // + the cell node-llama-cpp keeps free
        warnings.push({ kind: "contextOverflow", prompt: prompt.id, promptTokens: tokens.length, maxTokens: params.maxTokens, context: context.contextSize });
    const stream = params.mode === "stream";
    const measurements: Measurement[] = [];
    let output = "";
    let warnedPrefill = false;
    const total = params.warmup + params.repetitions;
    for (let i = 0; i < total; i++) {
        const rep = i - params.warmup;
        const measured = rep >= 0;
        const last = rep === params.repetitions - 1;
        const step = measured ? `${prompt.id} rep ${rep + 1}/${params.repetitions}` : `${prompt.id} warmup ${i + 1}/${params.warmup}`;
        report(measured ? "prefill" : "warmup", step);
        await sequence.clearHistory();
        await takeEngineTimings(context, log); // reset llama.cpp's counters: the next print covers this request only
        const echo = measured && last && hooks.onText != null;
        threadSwitch.batch();
        const generation = await generate(sequence, tokens, {
            maxTokens: params.maxTokens,
            temperature: params.temperature,
            seed: params.seed,
            timestamps: stream,
            onFirstToken: () => {
                threadSwitch.decode();
                if (measured) sampler.setPhase("decode");
                if (tokens.length > 1) checkThreads("batch");
            },
            onText: echo && stream ? hooks.onText : undefined
        });
        run.units.done++;
        if (generation.tokens.length > 1) checkThreads("decode");
        const engine = await takeEngineTimings(context, log);
        if (echo && !stream) hooks.onText?.(model.detokenize(generation.tokens));
        if (!measured) {
            run.warmup.ms += generation.e2eMs;
            continue;
        }

        let metrics: Metrics;
        if (stream) {
            const prefillMs = engine != null && engine.promptEvalTokens === tokens.length ? engine.promptEvalMs : undefined;
            if (prefillMs == null && !warnedPrefill) {
                warnedPrefill = true;
                warnings.push({ kind: "prefillUncounted", prompt: prompt.id });
            }
            metrics = streamMetrics({ promptTokens: tokens.length, tokenTimesMs: generation.tokenTimesMs, e2eMs: generation.e2eMs, prefillMs });
        } else {
            metrics = batchMetrics({ promptTokens: tokens.length, genTokens: generation.tokens.length, e2eMs: generation.e2eMs });
        }
        Object.assign(metrics, engineMetrics(engine));
        measurements.push({
            kind: "prompt",
            prompt: prompt.id,
            rep,
            metrics,
            ...(stream ? { tokenTimesMs: generation.tokenTimesMs } : {})
        });
        report("decode", step, metrics.decodeTps ?? metrics.e2eTps);
        if (last) output = model.detokenize(generation.tokens);
    }
    return { measurements, output };
}

async function measureTests(run: Run, config: Config, params: Settings): Promise<Measurement[]> {
    const { sequence, opened: { model, context, threadSwitch }, log, report, checkThreads } = run;
    const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0;
    if (vocabSize <= 0) throw new Error("cannot run pp/tg tests: the model file does not list its vocabulary");
    const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
    const random = tokenRandom(params.seed);
    const measurements: Measurement[] = [];
    for (const test of config.tests) {
        // node-llama-cpp keeps the last cell free (LlamaContextSequence `_decodeTokens`): a test that fills the
        // context would be cut by a context shift before its last token, which is other work than llama-bench's
        const needed = test.depth + test.pp + test.tg + 1;
        if (needed > context.contextSize)
            throw new Error(`test ${test.id} needs ${needed} tokens of context (one is the cell node-llama-cpp keeps free), the context holds ${context.contextSize}: raise context`);
        const kind = benchTestKind(test);
        for (let i = 0; i < params.warmup + params.repetitions; i++) {
            const rep = i - params.warmup;
            const measured = rep >= 0;
            report(measured ? "prefill" : "warmup", measured ? `${test.id} rep ${rep + 1}/${params.repetitions}` : `${test.id} warmup ${i + 1}/${params.warmup}`);
            const result = await runBenchTest(sequence, test, {
                random,
                vocabSize,
                bos,
                beforeTimed: async () => void await takeEngineTimings(context, log),
                onPhase: (phase) => {
                    if (phase === "prefill") threadSwitch.batch();
                    else {
                        if (test.pp > 0 || test.depth > 0) checkThreads("batch");
                        threadSwitch.decode();
                    }
                    if (measured) run.sampler.setPhase(phase);
                }
            });
            run.units.done++;
            checkThreads(test.tg > 0 ? "decode" : "batch");
            const engine = await takeEngineTimings(context, log);
            if (!measured) {
                run.warmup.ms += (result.ppMs ?? 0) + (result.tgMs ?? 0);
                continue;
            }
            const metrics = { ...benchTestMetrics({ ...test, ...result }), ...engineMetrics(engine) };
            measurements.push({ kind, prompt: test.id, rep, metrics });
            report("decode", `${test.id} rep ${rep + 1}/${params.repetitions}`, metrics.decodeTps ?? metrics.prefillTps);
        }
    }
    return measurements;
}
