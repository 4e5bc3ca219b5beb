/** Our side of a fidelity pair: the same test, run exactly as `bench` runs it (its own child, one warm-up). */
import { createHash } from "node:crypto";
import path from "node:path";
import { runChild } from "../exec/runChild.ts";
import type { Config } from "../plan/types.ts";
import { defaultSettings, type BenchTest, type Engine } from "../suite/types.ts";
import { headlineMetric } from "./benchTests.ts";
import type { LlamaBenchSettings } from "./llamaBench.ts";

export interface RunnerSample {
    /** What an application on node-llama-cpp sees (wall clock around the calls), tokens/s. */
    app: number;
    /** llama.cpp's own counters for the same work, tokens/s (null for pg, which the counters split in two). */
    engine: number | null;
}

export async function runRunnerSide(modelPath: string, test: BenchTest, settings: LlamaBenchSettings, engine: Engine = "prebuilt"): Promise<RunnerSample> {
    const config: Config = {
        id: createHash("sha256").update(`${modelPath}|${test.id}|${settings.threads}|${engine}`).digest("hex").slice(0, 12),
        label: `${path.basename(modelPath)} ${test.id} t=${settings.threads} ${engine}`,
        model: { source: "path", path: modelPath },
        // llama-bench sizes the context to the test: n_prompt + n_gen + n_depth. One spare cell here: node-llama-cpp
        // keeps the last cell free (LlamaContextSequence `_decodeTokens`: free space = contextSize - 1 - next index),
        // so pp512 in a 512-cell context decodes 511 tokens, shifts the context, then decodes the last one alone.
        // That cost 3 % of pp512 on the 360M model (136 against 140 tok/s at 512 vs 513 cells, interleaved).
        params: {
            ...defaultSettings, repetitions: 1, warmup: 1, threads: settings.threads, batch: settings.batch,
            flashAttention: settings.flashAttention, context: Math.max(16, test.depth + test.pp + test.tg + 1), gpu: false, engine
        },
        prompts: [],
        tests: [test]
    };
    const outcome = await runChild(config, modelPath);
    if (outcome.status !== "ok") throw new Error(`runner ${config.label}: ${outcome.status}: ${"error" in outcome ? outcome.error : ""}`);
    const metrics = outcome.result.measurements[0]?.metrics;
    const names = headlineMetric(test);
    const app = metrics?.[names.app];
    if (app == null) throw new Error(`runner ${config.label}: no ${names.app} measured`);
    return { app, engine: names.engine == null ? null : metrics?.[names.engine] ?? null };
}
