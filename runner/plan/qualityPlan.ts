/** The suite's `quality:` block for one config: its reference named as a model (a quant of this config's entry, or the one file). */
import type { QualitySpec } from "../suite/types.ts";
import type { ModelRef, QualityPlan } from "./types.ts";

export function qualityPlan(spec: QualitySpec, model: ModelRef): QualityPlan {
    const { reference, ...rest } = spec;
    return { ...rest, reference: reference == null ? null : { name: reference.name, model: referenceModel(reference, model) } };
}

function referenceModel(reference: NonNullable<QualitySpec["reference"]>, model: ModelRef): ModelRef {
    if ("model" in reference) return { ...reference.model };
    switch (model.source) {
        case "hf": return { source: "hf", repo: model.repo, revision: model.revision, quant: reference.quant };
        case "synthetic": return "like" in model
            ? { source: "synthetic", like: model.like, quant: reference.quant.toUpperCase(), seed: model.seed }
            : { source: "synthetic", preset: model.preset, quant: reference.quant.toUpperCase(), seed: model.seed };
        // parseSuite refuses a quant reference for a path model: there is no ladder to pick it from
        case "path": throw new Error(`quality.reference ${reference.quant}: ${model.path} is a single file, with no quants`);
    }
}

/**
 * `topK: auto`: exact KLD (every token of the reference kept) up to this vocabulary size, the top `autoTopK` above
 * it. Chosen from measurements (README, "Quality"): a full-vocabulary answer costs node-llama-cpp about 0.6 µs per
 * vocabulary entry and position, so exact KLD stays cheap for small vocabularies and dominates the pass for 32k and
 * more; a 512-token vocabulary's reference is 2 MB per 1000 scored tokens.
 */
export const autoExactVocabulary = 4096;
export const autoTopK = 64;

/** The tokens kept per position: a number, or null for every token (exact). */
export function resolveTopK(topK: "auto" | "all" | number, vocabSize: number): number | null {
    if (topK === "all") return null;
    if (topK === "auto") return vocabSize <= autoExactVocabulary ? null : autoTopK;
    return Math.min(topK, vocabSize);
}
