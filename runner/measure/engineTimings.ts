/**
 * llama.cpp's own counters for one request. node-llama-cpp 3.22.1 exposes them only as log output:
 * `context.printTimings()` calls `llama_perf_context_print` then `llama_perf_context_reset` (AddonContext.cpp), so
 * each print covers exactly the work since the previous one. llama.cpp files a decode of more than one token under
 * "prompt eval" and a single-token decode under "eval" (llama_context::synchronize).
 */
import type { LlamaContext } from "node-llama-cpp";
import type { EngineTimings } from "../stats/metrics.ts";
import type { LlamaLog } from "./llamaLog.ts";

const promptEvalLine = /prompt eval time\s*=\s*([\d.]+)\s*ms\s*\/\s*(\d+)\s*tokens/;
const evalLine = /(?<!prompt )eval time\s*=\s*([\d.]+)\s*ms\s*\/\s*(\d+)\s*runs/;

/** Parse the lines of one `llama_perf_context_print`; `undefined` when they are not there. */
export function parseEngineTimings(lines: readonly string[]): EngineTimings | undefined {
    let prompt: RegExpMatchArray | null = null;
    let gen: RegExpMatchArray | null = null;
    for (const line of lines) {
        prompt ??= line.match(promptEvalLine);
        gen ??= line.match(evalLine);
    }
    if (prompt == null || gen == null) return undefined;
    // llama.cpp prints max(1, n) for the counts so it never divides by zero: 0 ms means nothing was counted
    const promptEvalMs = Number(prompt[1]);
    const evalMs = Number(gen[1]);
    return {
        promptEvalMs,
        promptEvalTokens: promptEvalMs > 0 ? Number(prompt[2]) : 0,
        evalMs,
        evalRuns: evalMs > 0 ? Number(gen[2]) : 0
    };
}

/** Print (and thereby reset) the context's counters and return them. Never call inside a timed region. */
export async function takeEngineTimings(context: LlamaContext, log: LlamaLog): Promise<EngineTimings | undefined> {
    const stop = log.startCapture();
    let lines: string[] = [];
    try {
        await context.printTimings();
        // the addon may forward log lines a tick late; printTimings waits one macrotask, allow a few more
        for (let tick = 0; tick < 5 && parseEngineTimings(log.captured()) == null; tick++)
            await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
        lines = stop();
    }
    return parseEngineTimings(lines);
}
