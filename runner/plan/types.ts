import type { BenchTest, LikeRef, ParallelTest, Prompt, QualitySpec, Settings } from "../suite/types.ts";

/** One model after the plan expanded quant lists: what a config runs. Resolution to a file comes later. */
export type ModelRef =
    | { source: "path"; path: string }
    | { source: "hf"; repo: string; revision: string; file: string }
    | { source: "hf"; repo: string; revision: string; quant: string }
    | { source: "synthetic"; preset: string; quant: string; seed: number }
    /** A synthetic clone of `like`, re-typed to the file type `quant` (null: every tensor keeps its type). */
    | { source: "synthetic"; like: LikeRef; quant: string | null; seed: number };

/** A config's quality pass: the suite's `quality:` block with its reference resolved for the config's model. */
export interface QualityPlan extends Omit<QualitySpec, "reference"> {
    /** The model to compare with, and its name as the suite wrote it; null: perplexity only. */
    reference: { name: string; model: ModelRef } | null;
}

/** One point of the matrix: one model with one set of settings, run in one child process. */
export interface Config {
    /** Stable id: hash of the normalized params, model identity and workload. */
    id: string;
    /** Short human label, e.g. `qwen2.5-1.5b Q4_K_M ctx=2048 stream`. */
    label: string;
    model: ModelRef;
    params: Settings;
    prompts: Prompt[];
    tests: BenchTest[];
    /** Serving-load tests, run after the pp/tg tests; absent when the suite has none. */
    parallel?: ParallelTest[];
    /** The quality pass after the prompts and tests, when the suite has a `quality:` block. */
    quality?: QualityPlan;
}
