/**
 * Every warning a config can carry, as data: a union on `kind`, stored typed (database and run file) and worded
 * with its advice in one place, `warningText`. The terminal groups them on their kind (cli/warningLines.ts); nothing
 * parses a printed warning back.
 */

export type Warning =
    /** Decode threads take every logical core (see resolveThreads.ts). */
    | { kind: "threadsOversubscribed"; threads: number; logicalCores: number }
    | { kind: "flashAttentionUnsupported" }
    /** The context reports other KV cache types than the config asked for. */
    | { kind: "kvTypeMismatch"; asked: string; key: string; value: string }
    | { kind: "batchCapped"; batch: number; context: number }
    /** The context was made with another thread count than asked. */
    | { kind: "contextThreads"; asked: number; got: number }
    /** llama.cpp ran a batch or a single-token decode at another count than threadSwitch.ts set. */
    | { kind: "threadSplit"; phase: "batch" | "decode"; used: number; expected: number }
    | { kind: "echoInTimedLoop" }
    | { kind: "rssAboveMaxRss"; sampledBytes: number; maxRssBytes: number }
    /** A warning line of llama.cpp's own log. */
    | { kind: "llamaCpp"; message: string }
    | { kind: "contextOverflow"; prompt: string; promptTokens: number; maxTokens: number; context: number }
    /** llama.cpp's counters did not count the whole prompt as prompt eval, so `prefillMs` is left out. */
    | { kind: "prefillUncounted"; prompt: string }
    /** The corpus holds fewer chunks of `context` tokens than `quality.chunks` asked for; all of them were scored. */
    | { kind: "qualityChunksCapped"; asked: number; available: number; context: number }
    /** A parallel test's level (and every level above it) was not run: its context would not fit, or llama.cpp refused to make it. */
    | { kind: "parallelLevelSkipped"; test: string; sequences: number; reason: string }
    /** The first repetition took `ratio` × the median of the rest. */
    | { kind: "firstRunSlow"; prompt: string; metric: string; ratio: number }
    /** sd / mean of a metric over the repetitions. */
    | { kind: "highVariance"; prompt: string; metric: string; variation: number }
    /** A warning recorded as plain text: schema-1 run files and databases written before warnings were typed. */
    | { kind: "note"; text: string };

/** One warning as a sentence that says what to try next. */
export function warningText(w: Warning): string {
    switch (w.kind) {
        case "threadsOversubscribed":
            // measured on 2 vCPUs (docs/threads-and-fidelity.md): decode at 2 threads was 0.4× its 1-thread speed on a 25M
            // model and 1.5× on a 360M one, so the advice is to compare, not to drop a thread blindly
            return `threads=${w.threads} on ${w.logicalCores} logical cores leaves none for Node's event loop: on small models decode can stall when llama.cpp's spinning workers get preempted; compare with threads: ${Math.max(1, w.logicalCores - 1)}, which threads: auto picks`;
        case "flashAttentionUnsupported":
            return "flashAttention: true, but llama.cpp does not support flash attention for this model: it ran without";
        case "kvTypeMismatch":
            return `kvType ${w.asked} requested, context reports K=${w.key} V=${w.value}`;
        case "batchCapped":
            return `batch ${w.batch} > context ${w.context}: batch capped to ${w.context}`;
        case "contextThreads":
            return `context made with ${w.got} threads, not the ${w.asked} asked for`;
        case "threadSplit":
            return `node-llama-cpp ran a ${w.phase === "batch" ? "batch" : "single-token decode"} at ${w.used} threads, not the ${w.expected} asked for: the batch/decode thread split did not take effect`;
        case "echoInTimedLoop":
            return "echo was on: text was detokenized inside the timed loop of each prompt's last repetition";
        case "rssAboveMaxRss":
            return `sampled RSS peak ${w.sampledBytes} B exceeds the high-water mark ${w.maxRssBytes} B: check how peakRss.ts reads it`;
        case "llamaCpp":
            return `llama.cpp: ${w.message}`;
        case "contextOverflow":
            return `prompt ${w.prompt}: ${w.promptTokens} prompt + ${w.maxTokens} max tokens exceed the context of ${w.context}: node-llama-cpp may shift the context mid-answer; raise context`;
        case "prefillUncounted":
            return `prompt ${w.prompt}: llama.cpp's counters did not cover the whole prompt as prompt eval, so prefillMs is not reported`;
        case "qualityChunksCapped":
            return `quality.chunks ${w.asked}: the corpus holds ${w.available} chunk(s) of ${w.context} tokens; all ${w.available} were scored`;
        case "parallelLevelSkipped":
            return `${w.test}: ${w.sequences} sequences and above skipped: ${w.reason}`;
        case "firstRunSlow":
            return `${w.prompt}: the first run took ${w.ratio.toFixed(1)}× the median of the rest: raise \`warmup\``;
        case "highVariance":
            return `${w.prompt}.${w.metric} varies ${Math.round(w.variation * 100)} % (sd/mean): close other programs, or raise \`repetitions\``;
        case "note":
            return w.text;
    }
}

/** A stored warning: text (schema-1 files, databases from before typed warnings) becomes a `note`. */
export function storedWarning(value: string | Warning): Warning {
    return typeof value === "string" ? { kind: "note", text: value } : value;
}

/** `warnings` with each one once (equal kind and fields), in first-seen order. */
export function uniqueWarnings(warnings: readonly Warning[]): Warning[] {
    const seen = new Map<string, Warning>();
    for (const warning of warnings) {
        const key = JSON.stringify(warning);
        if (!seen.has(key)) seen.set(key, warning);
    }
    return [...seen.values()];
}
