/**
 * Load phase of one config: the Llama backend, the model (timed: `loadMs`) and ONE context with the config's
 * settings. Every failure carries llama.cpp's own reason (its error log lines).
 */
import os from "node:os";
import { getLlama, GgmlType, LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel, type LlamaOptions } from "node-llama-cpp";
import { kvTypes, parseGpuBackend, type Engine, type GpuBackend, type Settings } from "../suite/types.ts";
import { checkLoadedEngine, engineLlamaOptions } from "../engine/engineOptions.ts";
import type { RanSettings } from "../results.ts";
import { withLlamaReason, type LlamaLog } from "./llamaLog.ts";
import { oversubscriptionWarning, resolveThreads, resolveThreadsBatch } from "./resolveThreads.ts";
import { makeThreadSwitch, type ThreadSwitch } from "./threadSwitch.ts";
import { configFit, WillNotFitError } from "../plan/configFit.ts";
import type { Warning } from "../warnings.ts";
import { kvGgmlType } from "../plan/kvGgmlType.ts";

export interface OpenModel {
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
    loadMs: number;
    /** Device memory taken by the model and context (VRAM, or unified memory on Apple silicon); null on CPU. */
    vramBytes: number | null;
    /** Threads of single-token decodes, after resolving `auto`. */
    threads: number;
    /** Threads of larger batches (prefill, pp), after resolving `auto`. */
    threadsBatch: number;
    /** Call `batch()` / `decode()` before each phase; `release()` after the context is gone. */
    threadSwitch: ThreadSwitch;
    backend: string;
    /** The settings as they ran, read back from the model and context (see ChildResult.ran). */
    ran: RanSettings;
    warnings: Warning[];
}

/** `gpu` setting → `getLlama({ gpu })`. */
export function gpuOption(gpu: GpuBackend): LlamaOptions["gpu"] {
    return gpu === "auto" ? "auto" : gpu;
}

/**
 * One Llama per backend and engine setting per process. A child measures one config, but tests call measureConfig many times
 * in one process, and a second `getLlama` there left llama.cpp logging to raw stderr instead of our logger (the
 * addon's logger is process-wide), which lost the failure reasons and the engine counters. So the Llama is made
 * once and its logger forwards to the LlamaLog of the config being measured.
 */
const llamas = new Map<string, Promise<Llama>>();
let logTarget: LlamaLog | undefined;

function sharedLlama(gpu: GpuBackend, engine: Engine): Promise<Llama> {
    const key = `${String(gpu)} ${engine}`;
    let llama = llamas.get(key);
    if (llama == null) {
        llama = getLlama({
            ...engineLlamaOptions(engine),
            gpu: gpuOption(gpu),
            logLevel: LlamaLogLevel.info, // info: llama_perf_context_print (engine counters) logs at this level
            logger: (level, message) => logTarget?.logger(level, message),
            // 0: no thread budget, so a context uses exactly its `threads`; threadSwitch.ts sets one while a config
            // runs batches and single-token decodes at different counts
            maxThreads: 0,
            progressLogs: false
        }).then((loaded) => {
            checkLoadedEngine(engine, loaded.buildType);
            return loaded;
        });
        llama.catch(() => llamas.delete(key));
        llamas.set(key, llama);
    }
    return llama;
}

/**
 * Starts the Llama for a backend setting ahead of the config: the child does this before it says `ready`, so the
 * backend's start (on Linux node-llama-cpp also forks a subprocess to test the binary) counts as child start, not
 * as part of the config. A failure is dropped here: openModel asks again and reports it with llama.cpp's reason.
 */
export async function prepareBackend(gpu: GpuBackend, engine: Engine): Promise<void> {
    await sharedLlama(gpu, engine).catch(() => undefined);
}

/**
 * Loads the model and makes one context with `params`. `fitContext` is the largest context the config will make
 * (a quality pass may need more than `params.context`): the memory check before loading uses it. Defaults to
 * `params.context`.
 */
export async function openModel(modelPath: string, params: Settings, log: LlamaLog, fitContext = params.context): Promise<OpenModel> {
    const warnings: Warning[] = [];
    const llama = await withLlamaReason(log, () => sharedLlama(params.gpu, params.engine));
    logTarget = log;
    const backend = llama.gpu === false ? "cpu" : llama.gpu;
    const vramBefore = llama.gpu === false ? undefined : (await llama.getVramState()).used;

    // a config that cannot fit is skipped with the reason instead of crashing into an OOM
    const { fit } = await configFit(modelPath, { ...params, context: Math.max(params.context, fitContext) }, llama);
    if (!fit.fits) throw new WillNotFitError(fit.reason);

    const loadStart = performance.now();
    const model = await withLlamaReason(log, () => llama.loadModel({ modelPath, gpuLayers: params.gpuLayers }));
    const loadMs = performance.now() - loadStart;

    const logicalCores = os.availableParallelism();
    const cpu = { cpuMathCores: llama.cpuMathCores, logicalCores };
    const threads = resolveThreads(params.threads, cpu);
    const threadsBatch = resolveThreadsBatch(params.threadsBatch, params.threads, cpu);
    // only decode threads are warned about: batch threads on every core are the measured choice (resolveThreads.ts)
    const oversubscribed = oversubscriptionWarning(threads, logicalCores);
    if (oversubscribed != null) warnings.push(oversubscribed);
    if (params.flashAttention && !model.flashAttentionSupported)
        warnings.push({ kind: "flashAttentionUnsupported" });

    const threadSwitch = makeThreadSwitch(llama, threads, threadsBatch);
    let context: LlamaContext;
    try {
        context = await createContext(model, params, threadSwitch, log, warnings);
    } catch (error) {
        threadSwitch.release();
        await model.dispose();
        throw error;
    }
    const vramBytes = vramBefore == null ? null : Math.max(0, (await llama.getVramState()).used - vramBefore);
    const ran: RanSettings = {
        context: context.contextSize,
        batch: context.batchSize,
        flashAttention: params.flashAttention && model.flashAttentionSupported,
        kvType: kvTypes.find((type) => kvGgmlType(type) === context.kvCacheValueType) ?? params.kvType,
        gpuLayers: model.gpuLayers,
        gpu: parseGpuBackend(backend === "cpu" ? "false" : backend) ?? params.gpu
    };
    return { llama, model, context, loadMs, vramBytes, threads, threadsBatch, threadSwitch, backend, ran, warnings };
}

/**
 * A context with the config's settings (`params.context` cells, batches of `params.batch` capped to the context,
 * the KV type, flash attention, the thread switch's count; `sequences` of them, each with its own `params.context`
 * cells, for a parallel level), checked against what llama.cpp reports; adjustments
 * go to `warnings`.
 */
export async function createContext(model: LlamaModel, params: Settings, threadSwitch: ThreadSwitch, log: LlamaLog, warnings: Warning[], sequences = 1): Promise<LlamaContext> {
    const kvType = kvGgmlType(params.kvType);
    const context = await withLlamaReason(log, () => model.createContext({
        // per sequence: node-llama-cpp gives each of `sequences` its own `contextSize` cells
        contextSize: params.context,
        sequences,
        batchSize: Math.min(params.batch, params.context),
        threads: threadSwitch.contextThreads,
        flashAttention: params.flashAttention,
        experimentalKvCacheKeyType: kvType,
        experimentalKvCacheValueType: kvType,
        performanceTracking: true,
        failedCreationRemedy: false
    }));
    if (context.kvCacheKeyType !== kvType || context.kvCacheValueType !== kvType)
        warnings.push({ kind: "kvTypeMismatch", asked: params.kvType, key: GgmlType[context.kvCacheKeyType], value: GgmlType[context.kvCacheValueType] });
    if (params.batch > params.context) warnings.push({ kind: "batchCapped", batch: params.batch, context: params.context });
    if (context.idealThreads !== threadSwitch.contextThreads)
        warnings.push({ kind: "contextThreads", asked: threadSwitch.contextThreads, got: context.idealThreads });
    return context;
}
