import type { Threads } from "../suite/types.ts";
import type { Warning } from "../warnings.ts";

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

/**
 * The thread count for batches of more than one token (prefill, pp): llama.cpp's `n_threads_batch`.
 *
 * `auto` follows an explicit `threads` (llama.cpp's `-tb` defaults to `-t`, and llama-bench uses one count for both,
 * so fidelity runs stay comparable); with `threads: auto` it is llama.cpp's `cpuMathCores`, every math core. The
 * per-graph thread stall that makes single-token decode slow when all cores are taken is a fixed cost per decode
 * call (about 7 ms here), so it is paid once per prompt batch, while the batch's compute halves. Measured on 2 cores,
 * one process, the two counts alternated (`llama.maxThreads` switched between batches), median of 7, t=2 over t=1:
 * 25M Q4_K_M prefill 4 tokens 0.37×, 16 tokens 0.82×, 64 tokens 1.34×, 512 tokens 1.88×; 360M Q4_K_M 4 tokens 0.94×,
 * 16 tokens 1.58×, 512 tokens 1.70×. Only very short prompts on very small models lose, by a few ms.
 */
export function resolveThreadsBatch(setting: Threads, threads: Threads, facts: CpuFacts): number {
    if (setting !== "auto") return Math.max(1, Math.floor(setting));
    if (threads !== "auto") return resolveThreads(threads, facts);
    return Math.max(1, facts.cpuMathCores);
}

/** A warning when llama.cpp's workers leave no logical core for Node's threads; `undefined` when fine. */
export function oversubscriptionWarning(threads: number, logicalCores: number): Warning | undefined {
    return threads < logicalCores ? undefined : { kind: "threadsOversubscribed", threads, logicalCores };
}
