/**
 * Collects llama.cpp's log lines (passed as `getLlama({ logger })`): keeps warnings and errors for the result and
 * for error messages, and lets a caller capture every line for a while (to read `llama_perf_context_print`).
 */
import { LlamaLogLevel } from "node-llama-cpp";
import type { Warning } from "../warnings.ts";

const problemLevels = new Set<LlamaLogLevel>([LlamaLogLevel.warn, LlamaLogLevel.error, LlamaLogLevel.fatal]);
/** A name llama.cpp quotes in a log line, e.g. `'tokenizer.ggml.padding_token_id'`. */
const quoted = /'[^']*'/g;

export class LlamaLog {
    /** Warning and error lines, in order (capped). */
    readonly problems: { level: LlamaLogLevel; message: string }[] = [];
    private capture: string[] | undefined;
    private readonly maxProblems = 200;

    /** The function to hand to `getLlama({ logger })`. */
    readonly logger = (level: LlamaLogLevel, message: string): void => {
        this.capture?.push(message);
        if (problemLevels.has(level) && this.problems.length < this.maxProblems)
            this.problems.push({ level, message: message.trim() });
    };

    /** Start capturing every line; returns a function that stops and returns the captured lines. */
    startCapture(): () => string[] {
        const lines: string[] = [];
        this.capture = lines;
        return () => {
            if (this.capture === lines) this.capture = undefined;
            return lines;
        };
    }

    /** Lines captured so far (empty when not capturing). */
    captured(): readonly string[] {
        return this.capture ?? [];
    }

    /** Error lines logged since `since` problems were recorded (one line, for an Error message). */
    errorsSince(since: number): string {
        return this.problems
            .slice(since)
            .filter((line) => line.level !== LlamaLogLevel.warn)
            .map((line) => line.message)
            .filter((message, index, all) => all.indexOf(message) === index)
            .join("; ");
    }

    /**
     * Warning lines for ChildResult.warnings, deduplicated, and lines that differ only in their quoted names folded
     * into one (llama.cpp's `load: bad special token: '<key>' = …` comes once per key: one line lists the keys).
     */
    warnings(): Warning[] {
        const groups = new Map<string, string[]>();
        for (const line of this.problems) {
            if (line.level !== LlamaLogLevel.warn) continue;
            // only lines with one quoted name fold; any other line is kept as it is (exact duplicates dropped)
            const shape = (line.message.match(quoted)?.length ?? 0) === 1 ? line.message.replace(quoted, "''") : line.message;
            const messages = groups.get(shape) ?? [];
            if (!messages.includes(line.message)) messages.push(line.message);
            groups.set(shape, messages);
        }
        return [...groups.values()].map((messages): Warning => {
            if (messages.length === 1) return { kind: "llamaCpp", message: messages[0]! };
            const names = messages.map((message) => message.match(quoted)![0]);
            return { kind: "llamaCpp", message: messages[0]!.replace(quoted, () => names.join(", ")) };
        });
    }
}

/**
 * Wrap a step so that a failure carries llama.cpp's reason, e.g.
 * `Failed to load model: llama_model_load: error loading model: tensor '…' data is not within the file bounds, …`.
 */
export async function withLlamaReason<T>(log: LlamaLog, step: () => Promise<T>): Promise<T> {
    const since = log.problems.length;
    try {
        return await step();
    } catch (error) {
        // llama.cpp's log lines may arrive a tick after the failure
        await new Promise((resolve) => setTimeout(resolve, 0));
        const reason = log.errorsSince(since);
        const message = error instanceof Error ? error.message : String(error);
        if (reason === "" || message.includes(reason)) throw error;
        throw new Error(`${message}: ${reason}`, { cause: error });
    }
}
