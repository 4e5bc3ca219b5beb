/** Runs the user's llama-bench for one test and reads its JSON: llama.cpp's own figure to hold ours against. */
import { execFile } from "node:child_process";
import type { BenchTest } from "../suite/types.ts";
import { parseCpuBackendPath } from "./anchorEngine.ts";
import { llamaBenchTestArgs } from "./benchTests.ts";

export interface LlamaBenchSettings {
    /** `auto`: each side's own default (llama-bench: no `-t`, i.e. llama.cpp's math cores; runner: `threads: auto`, `threadsBatch: auto`). */
    threads: number | "auto";
    batch: number;
    flashAttention: boolean;
}

interface LlamaBenchRow {
    n_prompt: number;
    n_gen: number;
    n_depth?: number;
    samples_ts: number[];
}

export interface LlamaBenchSample {
    /** Tokens per second. */
    tps: number;
    /** The CPU backend file llama-bench says it loaded, or `null`. */
    cpuBackend: string | null;
}

/** One llama-bench sample (tokens/s) of `test`, after llama-bench's own warm-up run. */
export function runLlamaBench(bin: string, modelPath: string, test: BenchTest, settings: LlamaBenchSettings): Promise<LlamaBenchSample> {
    const args = [
        "-m", modelPath, ...(settings.threads === "auto" ? [] : ["-t", String(settings.threads)]), "-r", "1", "-o", "json",
        "-b", String(settings.batch), "-ub", String(settings.batch), "-fa", settings.flashAttention ? "1" : "0",
        ...llamaBenchTestArgs(test)
    ];
    return new Promise((resolve, reject) => {
        execFile(bin, args, { maxBuffer: 16 * 1024 * 1024, timeout: 30 * 60_000 }, (error, stdout, stderr) => {
            if (error != null) {
                reject(new Error(`llama-bench ${args.join(" ")} failed: ${stderr.trim().split("\n").at(-1) ?? error.message}`));
                return;
            }
            const rows = JSON.parse(stdout) as LlamaBenchRow[];
            const row = rows.find((r) => r.n_prompt === test.pp && r.n_gen === test.tg && (r.n_depth ?? 0) === test.depth);
            const sample = row?.samples_ts[0];
            if (sample == null) reject(new Error(`llama-bench printed no row for ${test.id}`));
            else resolve({ tps: sample, cpuBackend: parseCpuBackendPath(stderr) });
        });
    });
}
