/** Which model a config ran, apart from its quantization: the key a quant ladder groups by. */
import type { ModelInfo } from "../../../runner/results.ts";
import { parameterCount } from "../../../runner/recommend/family.ts";

export interface ModelFamily {
    /** Stable key: source and name. */
    key: string;
    /** Shown in headings and legends: the Hub repo, the file name without its quant, or `synthetic llama 25M`. */
    name: string;
    quant: string;
    synthetic: boolean;
}

/** Parameter count as people say it: 525K, 25M, 1.5B (the recommendation's families write it so too). */
export const formatParameters = parameterCount;

/**
 * The family of a config's model. A config whose model never resolved (null) is its own family, named by its label.
 * File names lose their quant token (`model-Q4_K_M.gguf` → `model`), so every quant of one file set shares a family.
 */
export function modelFamily(model: ModelInfo | null, label: string): ModelFamily {
    if (model == null) return { key: `unresolved|${label}`, name: label, quant: "?", synthetic: false };
    const synthetic = model.source === "synthetic";
    let name: string;
    if (model.source === "hf" && model.repo != null) name = model.repo;
    else if (synthetic) name = `synthetic ${model.arch} ${formatParameters(model.parameters)}`;
    else name = stripQuant(model.file, model.quant);
    return { key: `${model.source}|${name}`, name, quant: model.quant, synthetic };
}

function stripQuant(file: string, quant: string): string {
    const base = file.replace(/\.gguf$/i, "").replace(/-\d{5}-of-\d{5}$/, "");
    if (quant === "") return base;
    const escaped = quant.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const stripped = base.replace(new RegExp(`[-_.]?${escaped}(?=$|[-_.])`, "i"), "");
    return stripped === "" ? base : stripped;
}
