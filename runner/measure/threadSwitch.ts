/**
 * Batch and decode thread counts on one context, through node-llama-cpp's public API.
 *
 * llama.cpp itself keeps two counts (`n_threads` for single-token decodes, `n_threads_batch` for larger batches), but
 * node-llama-cpp sets both to the context's `threads`. What it does do, before every decode batch, is set the
 * context's threads to its thread splitter's allocation, which for a lone context is min(context threads,
 * `llama.maxThreads`) (LlamaContext `_dispatchPendingBatch` → `ThreadsSplitterConsumer.getAllocationToConsume`). So the
 * context is made with the larger count and `llama.maxThreads` is set before each phase: `batch()` before a prompt
 * or pp batch, `decode()` once the first token is in hand or before tg steps.
 *
 * `context.currentThreads` is llama.cpp's count as of the last decode, so `check` can tell whether the switch really
 * happened (a node-llama-cpp upgrade could change the splitter); a mismatch becomes a warning on the config.
 */

import type { Warning } from "../warnings.ts";

/** The slice of node-llama-cpp's `Llama` this needs. */
export interface ThreadBudget {
    maxThreads: number;
}
/** The slice of node-llama-cpp's `LlamaContext` this needs. */
export interface ThreadReport {
    readonly currentThreads: number;
}

export interface ThreadSwitch {
    readonly decodeThreads: number;
    readonly batchThreads: number;
    /** Threads for the context at creation (the larger count). */
    readonly contextThreads: number;
    batch(): void;
    decode(): void;
    /** Before making another context: the budget back at the context's count (as when the switch was made). */
    forContext(): void;
    /** After a decode of the given kind: undefined when llama.cpp used the expected count, else a warning. */
    check(context: ThreadReport, kind: "batch" | "decode"): Warning | undefined;
    /** Back to no budget (the Llama is shared by every config measured in this process). */
    release(): void;
}

export function makeThreadSwitch(llama: ThreadBudget, decodeThreads: number, batchThreads: number): ThreadSwitch {
    const split = decodeThreads !== batchThreads;
    const contextThreads = Math.max(decodeThreads, batchThreads);
    // one count for both: no budget at all, so node-llama-cpp uses the context's threads exactly as before
    llama.maxThreads = split ? contextThreads : 0;
    return {
        decodeThreads,
        batchThreads,
        contextThreads,
        batch() {
            if (split) llama.maxThreads = batchThreads;
        },
        decode() {
            if (split) llama.maxThreads = decodeThreads;
        },
        forContext() {
            llama.maxThreads = split ? contextThreads : 0;
        },
        check(context, kind) {
            const expected = kind === "batch" ? batchThreads : decodeThreads;
            const used = context.currentThreads;
            return used === expected ? undefined : { kind: "threadSplit", phase: kind, used, expected };
        },
        release() {
            llama.maxThreads = 0;
        }
    };
}
