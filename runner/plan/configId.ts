/**
 * A config's stable id: the first 12 hex digits of the sha256 of what decides its numbers (model identity,
 * settings, workload), so the same config gets the same id on every machine and run, and runs can be compared.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { defaultSettings, type BenchTest, type ParallelTest, type Prompt, type Settings } from "../suite/types.ts";
import { canonicalJson } from "./canonicalJson.ts";
import type { ModelRef, QualityPlan } from "./types.ts";

/** Settings that change how long or how often a config runs, not what one measurement measures. */
const notIdentity = ["repetitions", "warmup", "timeout"] as const satisfies readonly (keyof Settings)[];

export function configId(config: { model: ModelRef; params: Settings; prompts: Prompt[]; tests: BenchTest[]; parallel?: ParallelTest[]; quality?: QualityPlan }): string {
    const params: Partial<Settings> = { ...config.params };
    for (const key of notIdentity) delete params[key];
    // the default engine is left out, so configs planned before the setting existed keep their ids
    if (params.engine === defaultSettings.engine) delete params.engine;
    const identity = {
        model: modelIdentity(config.model),
        params,
        prompts: config.prompts.map((p) => ({ id: p.id, kind: p.kind, sha256: sha256(p.text) })),
        tests: config.tests.map((t) => ({ id: t.id, pp: t.pp, tg: t.tg, depth: t.depth })),
        // only when present: ids of configs without parallel tests or a quality pass stay what they were; the knee
        // settings (rise, itlP90Ms) judge the numbers, they do not change them
        ...(config.parallel != null && config.parallel.length > 0
            ? { parallel: config.parallel.map((t) => ({ id: t.id, sequences: t.sequences, prompt: t.prompt, gen: t.gen, shared: t.shared })) }
            : {}),
        ...(config.quality != null ? { quality: qualityIdentity(config.quality) } : {})
    };
    return sha256(canonicalJson(identity)).slice(0, 12);
}

/**
 * What names a model independently of where it sits: a local file by base name and size in bytes (hashing
 * gigabytes to plan would be slow), a Hub file by repo, revision and file or quant, a synthetic model by its recipe
 * (a clone: what it clones, named the same way, its file type and seed).
 */
export function modelIdentity(ref: ModelRef): Record<string, unknown> {
    switch (ref.source) {
        case "path": return { source: "path", ...localIdentity(ref.path) };
        case "hf": return "file" in ref
            ? { source: "hf", repo: ref.repo, revision: ref.revision, file: ref.file }
            : { source: "hf", repo: ref.repo, revision: ref.revision, quant: ref.quant };
        case "synthetic": return "like" in ref
            ? { source: "synthetic", like: "path" in ref.like ? localIdentity(ref.like.path) : ref.like, quant: ref.quant, seed: ref.seed }
            : { source: "synthetic", preset: ref.preset, quant: ref.quant, seed: ref.seed };
    }
}

function qualityIdentity(quality: QualityPlan): Record<string, unknown> {
    return {
        corpus: quality.sha256,
        context: quality.context,
        chunks: quality.chunks,
        topK: quality.topK,
        reference: quality.reference == null ? null : modelIdentity(quality.reference.model)
    };
}

function localIdentity(file: string): { file: string; sizeBytes: number } {
    return { file: path.basename(file), sizeBytes: fs.statSync(file).size };
}

function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}
