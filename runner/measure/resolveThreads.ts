import type { Threads } from "../suite/types.ts";

/**
 * The thread count a config runs llama.cpp with. `auto` is `cpuMathCores` for now (node-llama-cpp's own default);
 * to be tuned from measurements (FINDINGS.md: at threads == cores Node's event loop competes with the workers).
 */
export function resolveThreads(setting: Threads, facts: { cpuMathCores: number }): number {
    if (setting === "auto") return Math.max(1, facts.cpuMathCores);
    return Math.max(1, Math.floor(setting));
}

/** A warning when llama.cpp's workers would leave no core for Node's event loop; `undefined` when fine. */
export function oversubscriptionWarning(threads: number, cores: number): string | undefined {
    if (threads < cores) return undefined;
    const suggestion = Math.max(1, cores - 1);
    return `threads=${threads} on ${cores} cores: llama.cpp's workers compete with Node's event loop; try threads: ${suggestion}`;
}
