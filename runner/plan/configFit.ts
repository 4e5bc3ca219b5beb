/** Estimate + what this machine has free → does the config fit? Used by --dry-run and by the child before loading. */
import type { Llama } from "node-llama-cpp";
import type { Settings } from "../suite/types.ts";
import { checkFit, estimateConfigMemory, type FitResult, type MemoryEstimate } from "./fit.ts";

export async function configFit(modelPath: string, params: Settings, llama: Llama): Promise<{ estimate: MemoryEstimate; fit: FitResult }> {
    const estimate = await estimateConfigMemory(modelPath, params, llama);
    const [ram, vram] = await Promise.all([llama.getRamState(), llama.getVramState()]);
    const unifiedMemory = vram.unifiedSize > 0 || (process.platform === "darwin" && process.arch === "arm64" && llama.gpu === "metal");
    const fit = checkFit(estimate, { freeRamBytes: ram.free, totalRamBytes: ram.total, freeVramBytes: vram.free, unifiedMemory });
    return { estimate, fit };
}

/** Thrown before loading when a config will not fit: recorded as `skipped` with the reason, not as a crash. */
export class WillNotFitError extends Error {
    override readonly name = "WillNotFitError";
}
