import type { Threads } from "../suite/types.ts";

export interface CpuFacts {
    /** llama.cpp's count of cores worth computing on (physical / performance cores): node-llama-cpp's `cpuMathCores`. */
    cpuMathCores: number;
    /** Logical CPUs this process may run on: `os.availableParallelism()`. */
    logicalCores: number;
}

/**
 * The thread count a config runs llama.cpp with.
 *
 * `auto` keeps one logical core free for Node's own threads (the event loop that resolves each decode's promise and
 * libuv's worker that calls llama_decode) whenever llama.cpp's choice would take them all. ggml's CPU workers wait
 * for each other in spin barriers; when every core holds a worker, any other runnable thread preempts one of them and
 * the rest spin for a scheduler slice. Measured on 2 cores (README, "Threads"): single-token decode through
 * node-llama-cpp at threads=2 stalls for tens of ms per token and runs several times slower than at threads=1.
 * On machines with spare logical cores (SMT siblings, efficiency cores) `auto` is llama.cpp's own `cpuMathCores`.
 */
export function resolveThreads(setting: Threads, facts: CpuFacts): number {
    if (setting !== "auto") return Math.max(1, Math.floor(setting));
    const math = Math.max(1, facts.cpuMathCores);
    return math < facts.logicalCores ? math : Math.max(1, facts.logicalCores - 1);
}

/** A warning when llama.cpp's workers leave no logical core for Node's threads; `undefined` when fine. */
export function oversubscriptionWarning(threads: number, logicalCores: number): string | undefined {
    if (threads < logicalCores) return undefined;
    const suggestion = Math.max(1, logicalCores - 1);
    return `threads=${threads} on ${logicalCores} logical cores leaves none for Node's event loop: llama.cpp's spin-waiting workers get preempted and decode stalls; try threads: ${suggestion} (or threads: auto)`;
}
