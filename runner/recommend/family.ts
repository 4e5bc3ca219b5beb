/**
 * Which base model a config ran, apart from its quantization: the GGUF architecture, the parameter count and a name
 * (the Hub repo, the copied file of a clone, or the file name without its quant token). Configs of one family are
 * the quants a recommendation chooses between.
 */
import type { ModelInfo } from "../results.ts";

export interface Family {
    /** Equal keys are the same base model. */
    key: string;
    /** Shown: `Qwen/Qwen2.5-1.5B-Instruct-GGUF`, `my-model`, `synthetic llama 25M`. */
    name: string;
}

/** 525K, 25M, 1.5B. */
export function parameterCount(parameters: number): string {
    for (const [size, unit] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]] as const) {
        if (parameters >= size) {
            const value = parameters / size;
            return `${value >= 100 ? value.toFixed(0) : Number(value.toPrecision(2))}${unit}`;
        }
    }
    return String(parameters);
}

/** A file name without `.gguf`, a shard suffix and the quant token: `model-Q4_K_M.gguf` → `model`. */
export function withoutQuant(file: string, quant: string): string {
    const base = (file.split("/").at(-1) ?? file).replace(/@.*$/, "").replace(/\.gguf$/i, "").replace(/-\d{5}-of-\d{5}$/, "");
    const tokens = [quant, ...knownQuantTokens].filter((q) => q !== "");
    for (const token of tokens) {
        const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const stripped = base.replace(new RegExp(`[-_.]?${escaped}(?=$|[-_.])`, "i"), "");
        if (stripped !== base && stripped !== "") return stripped;
    }
    return base;
}

/** Quant tokens as file names carry them, longest first, for files whose recorded quant is spelled differently. */
const knownQuantTokens = [
    "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M", "IQ4_NL", "IQ4_XS",
    "Q2_K_S", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "Q4_0_4_4", "Q4_0", "Q4_1",
    "Q5_0", "Q5_1", "Q8_0", "BF16", "F16", "F32"
];

export function family(model: ModelInfo | null, label: string): Family {
    if (model == null) return { key: `unresolved\u0000${label}`, name: label };
    let name: string;
    if (model.clonedFrom != null) name = `${withoutQuant(model.clonedFrom, model.quant)} (clone)`;
    else if (model.source === "hf" && model.repo != null) name = model.repo;
    else if (model.source === "synthetic") name = `synthetic ${model.arch} ${parameterCount(model.parameters)}`;
    else name = withoutQuant(model.file, model.quant);
    return { key: [model.arch, String(model.parameters), name].join("\u0000"), name };
}
