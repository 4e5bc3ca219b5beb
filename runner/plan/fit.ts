/**
 * Memory-fit estimates for `--dry-run`: what a config would take in RAM and VRAM, from the GGUF header alone
 * (node-llama-cpp's `GgufInsights`), and whether that fits what the machine has free.
 */
import { GgmlType, GgufInsights, InsufficientMemoryError, readGgufFileInfo, type GgufFileInfo, type Llama } from "node-llama-cpp";
import { formatBytes } from "../format/bytes.ts";
import { quantizedKvTypes, type KvType, type Settings } from "../suite/types.ts";
import { repackBytes } from "./repack.ts";
import { kvGgmlType } from "./kvGgmlType.ts";

export { kvGgmlType };

export interface MemoryEstimate {
    /** Layers the config would offload, after resolving `max` / `auto` / a number against this model and backend. */
    gpuLayers: number;
    modelRamBytes: number;
    modelVramBytes: number;
    /** KV cache, compute buffers and graph overhead kept in RAM. */
    contextRamBytes: number;
    contextVramBytes: number;
    totalRamBytes: number;
    totalVramBytes: number;
    /** Of `totalRamBytes`: weights the CPU backend repacks into a second copy (see plan/repack.ts); 0 with layers offloaded. */
    repackRamBytes?: number;
    /** Settings llama.cpp will refuse for this model (the estimate then comes from a heuristic, not a dry load). */
    problems: string[];
}

export interface AvailableMemory {
    freeRamBytes: number;
    totalRamBytes: number;
    freeVramBytes: number;
    /** CPU and GPU share one memory (Apple silicon): VRAM use is counted against RAM. */
    unifiedMemory: boolean;
}

export type FitResult = { fits: true } | { fits: false; reason: string };

/**
 * Estimates the memory one config needs, the way node-llama-cpp sizes a model load and a context of `sequences`
 * sequences of `params.context` cells each (one for prompts and pp/tg tests; a parallel level's N).
 * `model` is the GGUF file's path, or its header already parsed (a dry run writes no file: it parses the header's
 * bytes in memory with plan/ggufBuffer.ts, which only the dry run imports).
 * `llama` decides the backend: with no GPU offloading every byte lands in RAM.
 */
export async function estimateConfigMemory(model: string | GgufFileInfo, params: Settings, llama: Llama, sequences = 1): Promise<MemoryEstimate> {
    const fileInfo = typeof model === "string" ? await readGgufFileInfo(model, { sourceType: "filesystem", logWarnings: false }) : model;
    const insights = await GgufInsights.from(fileInfo, llama);
    const kvType = kvGgmlType(params.kvType);
    const gpuLayers = await resolveGpuLayers(insights, params, llama, kvType);

    const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
    const context = await insights.estimateContextResourceRequirementsV2({
        contextSize: params.context,
        modelGpuLayers: gpuLayers,
        // llama.cpp never uses a logical batch larger than the context
        batchSize: Math.min(params.batch, params.context),
        sequences,
        flashAttention: params.flashAttention,
        kvCacheKeyType: kvType,
        kvCacheValueType: kvType
    });

    const attention = fileInfo.architectureMetadata.attention;
    const headCount = attention?.head_count;
    const embedding = fileInfo.architectureMetadata.embedding_length;
    const headDim = typeof headCount === "number" && headCount > 0 && typeof embedding === "number"
        ? embedding / headCount
        : undefined;
    // the CPU backend repacks what stays on it; with layers offloaded the split is not known here, so only a CPU-only config counts it
    const repack = gpuLayers === 0 ? repackBytes(fileInfo.fullTensorInfo ?? []) : 0;
    return {
        gpuLayers,
        repackRamBytes: repack,
        problems: kvCacheProblems(params.kvType, params.flashAttention, attention?.key_length ?? headDim, attention?.value_length ?? headDim),
        modelRamBytes: weights.cpuRam,
        modelVramBytes: weights.gpuVram,
        contextRamBytes: context.cpuRam,
        contextVramBytes: context.gpuVram,
        totalRamBytes: weights.cpuRam + context.cpuRam + repack,
        totalVramBytes: weights.gpuVram + context.gpuVram
    };
}

/**
 * Resolves `gpuLayers` as node-llama-cpp's `LlamaModel` would: `max` is every layer (output layer included),
 * a number is clamped to the model's layers, `auto` asks the configuration resolver what fits the free VRAM now.
 * No GPU (`gpu: false` or a CPU-only backend) means 0.
 */
async function resolveGpuLayers(insights: GgufInsights, params: Settings, llama: Llama, kvType: GgmlType): Promise<number> {
    if (params.gpu === false || llama.gpu === false || !llama.supportsGpuOffloading) return 0;
    if (params.gpuLayers === "max") return insights.totalLayers;
    if (typeof params.gpuLayers === "number") return Math.max(0, Math.min(insights.totalLayers, Math.floor(params.gpuLayers)));
    try {
        const resolved = await insights.configurationResolver.resolveModelGpuLayersV2("auto", {
            defaultContextFlashAttention: params.flashAttention,
            defaultContextKvCacheKeyType: kvType,
            defaultContextKvCacheValueType: kvType
        });
        return resolved.gpuLayers;
    } catch (error) {
        if (error instanceof InsufficientMemoryError) return 0;
        throw error;
    }
}


const quantizedKvBlockSize: Partial<Record<KvType, number>> = Object.fromEntries(quantizedKvTypes.map((type) => [type, 32]));

/**
 * Reasons llama.cpp will refuse to create a context with this KV cache type, as its `llama_init_from_model` checks:
 * a quantized V cache needs flash attention, and a quantized cache's block size must divide the head size. Pure.
 */
export function kvCacheProblems(kvType: KvType, flashAttention: boolean, headDimK: number | undefined, headDimV: number | undefined): string[] {
    const blockSize = quantizedKvBlockSize[kvType];
    if (blockSize === undefined) return [];
    const problems: string[] = [];
    if (!flashAttention)
        problems.push(`kvType \`${kvType}\` needs flashAttention: true (llama.cpp refuses a quantized V cache without it)`);
    const heads = headDimK === headDimV ? [["", headDimK]] as const : [["K ", headDimK], ["V ", headDimV]] as const;
    for (const [which, dim] of heads) {
        if (dim !== undefined && Number.isFinite(dim) && dim % blockSize !== 0)
            problems.push(`kvType \`${kvType}\` has blocks of ${blockSize}, which do not divide this model's ${which}head size ${dim}; use f16`);
    }
    return problems;
}

/**
 * Whether an estimate fits the memory available. Pure.
 * Unified memory: model and context, CPU and GPU parts alike, must fit the free RAM.
 * Discrete GPU: the VRAM part must fit the free VRAM and the RAM part the free RAM.
 */
export function checkFit(estimate: MemoryEstimate, available: AvailableMemory): FitResult {
    const problems: string[] = [];
    if (available.unifiedMemory) {
        const need = estimate.totalRamBytes + estimate.totalVramBytes;
        const problem = ramProblem(need, available, "unified memory");
        if (problem !== null) problems.push(problem);
    } else {
        if (estimate.totalVramBytes > available.freeVramBytes)
            problems.push(`needs ~${formatBytes(estimate.totalVramBytes)} VRAM, ${formatBytes(available.freeVramBytes)} free`);
        const problem = ramProblem(estimate.totalRamBytes, available, "RAM");
        if (problem !== null) problems.push(problem);
    }
    return problems.length === 0 ? { fits: true } : { fits: false, reason: problems.join("; ") };
}

function ramProblem(need: number, available: AvailableMemory, what: string): string | null {
    if (need > available.totalRamBytes)
        return `needs ~${formatBytes(need)} ${what}, more than the machine's ${formatBytes(available.totalRamBytes)}`;
    if (need > available.freeRamBytes)
        return `needs ~${formatBytes(need)} ${what}, ${formatBytes(available.freeRamBytes)} free`;
    return null;
}
