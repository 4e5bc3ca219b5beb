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
 * `auto` keeps one logical core free whenever llama.cpp's choice would take them all. node-llama-cpp runs each decode
 * on a libuv worker woken by Node's event loop and attaches no ggml threadpool, so ggml starts a new worker thread per
 * token; with every core taken that thread is often queued behind its creator spinning in a barrier, and waits a
 * scheduler tick per barrier. Measured on 2 cores (README, "Threads"; tools/decode-probe): single-token decode at
 * threads=2 runs at 9 % of llama-bench on a 25M model, at threads=1 at 98 %. It is a trade-off: larger models
 * prefill faster at threads=2, and the README says to sweep `threads` for them.
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
