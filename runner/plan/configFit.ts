/** Estimate + what this machine has free → does the config fit? Used by --dry-run and by the child before loading. */
import type { GgufFileInfo, Llama, LlamaModel } from "node-llama-cpp";
import type { Settings } from "../suite/types.ts";
import { checkFit, estimateConfigMemory, kvGgmlType, type FitResult, type MemoryEstimate } from "./fit.ts";

/** What this machine has free now, as checkFit reads it. */
async function availableMemory(llama: Llama) {
    const [ram, vram] = await Promise.all([llama.getRamState(), llama.getVramState()]);
    const unifiedMemory = vram.unifiedSize > 0 || (process.platform === "darwin" && process.arch === "arm64" && llama.gpu === "metal");
    return { freeRamBytes: ram.free, totalRamBytes: ram.total, freeVramBytes: vram.free, unifiedMemory };
}

/**
 * Whether one more context of `sequences` sequences (each `params.context` cells) fits beside the loaded model: a
 * parallel level, checked before it is made, from node-llama-cpp's estimate for that context alone against what is
 * free now (the model is already counted there).
 */
export async function sequencesFit(model: LlamaModel, params: Settings, sequences: number): Promise<FitResult> {
    const kvType = kvGgmlType(params.kvType);
    const context = await model.fileInsights.estimateContextResourceRequirementsV2({
        contextSize: params.context,
        modelGpuLayers: model.gpuLayers,
        batchSize: Math.min(params.batch, params.context),
        sequences,
        flashAttention: params.flashAttention,
        kvCacheKeyType: kvType,
        kvCacheValueType: kvType
    });
    const estimate: MemoryEstimate = {
        gpuLayers: model.gpuLayers, problems: [], modelRamBytes: 0, modelVramBytes: 0,
        contextRamBytes: context.cpuRam, contextVramBytes: context.gpuVram, totalRamBytes: context.cpuRam, totalVramBytes: context.gpuVram
    };
    return checkFit(estimate, await availableMemory(model.llama));
}

/** `model`: the GGUF file's path, or its header parsed (see estimateConfigMemory); `sequences`: the context's. */
export async function configFit(model: string | GgufFileInfo, params: Settings, llama: Llama, sequences = 1): Promise<{ estimate: MemoryEstimate; fit: FitResult }> {
    const estimate = await estimateConfigMemory(model, params, llama, sequences);
    const fit = checkFit(estimate, await availableMemory(llama));
    return { estimate, fit };
}

/** Thrown before loading when a config will not fit: recorded as `skipped` with the reason, not as a crash. */
export class WillNotFitError extends Error {
    override readonly name = "WillNotFitError";
}

export interface ParallelLevelsFit {
    /** The largest level that fits, with its estimate (model and a context of that many sequences); null when none does. */
    largest: { sequences: number; estimate: MemoryEstimate } | null;
    /** The first level that does not fit, and every level above it, with the first one's reason; null when all fit. */
    skipped: { levels: number[]; reason: string } | null;
}

/**
 * For `--dry-run`: a config's parallel levels (every test's, as one ascending set) walked upwards as the child walks
 * them (measure/measureParallel.ts), each estimated as the model plus ONE context of that many sequences, the only
 * context the child then holds; the first that does not fit the memory free now is skipped, with every level above.
 */
export async function parallelLevelsFit(model: string | GgufFileInfo, params: Settings, llama: Llama, levels: readonly number[]): Promise<ParallelLevelsFit> {
    const ascending = [...new Set(levels)].sort((a, b) => a - b);
    let largest: ParallelLevelsFit["largest"] = null;
    for (const [index, sequences] of ascending.entries()) {
        const { estimate, fit } = await configFit(model, params, llama, sequences);
        if (!fit.fits) return { largest, skipped: { levels: ascending.slice(index), reason: `${sequences} sequences (the model and a context of ${sequences} × ${params.context} cells) ${fit.reason}` } };
        largest = { sequences, estimate };
    }
    return { largest, skipped: null };
}
