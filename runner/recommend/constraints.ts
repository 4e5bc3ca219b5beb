/**
 * What a recommendation is asked for: the speed it maximizes and the limits a quant must meet. Set in a suite's
 * `recommend:` block and on `npm run recommend`'s command line; every field has its default here, once.
 */
import { InputError } from "../errors.ts";
import { parseBytes } from "../format/parseBytes.ts";
import { visible } from "../format/visible.ts";
import type { RecommendSpec } from "../suite/types.ts";

/** The speed a recommendation maximizes: decode tok/s, prefill tok/s, or one request's seconds end to end. */
export type Objective = "decode" | "prefill" | "e2e";
export const objectives: readonly Objective[] = ["decode", "prefill", "e2e"];

/** The quality figure a bound is set on: mean KL divergence from the reference (nats) or PPL(model) / PPL(reference). */
export type QualityMetric = "kldMean" | "pplRatio";

export interface RecommendConstraints {
    /** What is maximized. Defaults to `"decode"`. */
    objective: Objective;
    /** Prompt tokens of the request the `e2e` objective times. Defaults to `512`. */
    promptTokens: number;
    /** Answer tokens of the request the `e2e` objective times. Defaults to `256`. */
    answerTokens: number;
    /** Memory a config may take, in bytes; null: what the machine has (see `MemoryBudget`). Defaults to `null`. */
    memoryBytes: number | null;
    /** Share of the budget kept free above the measured peak: fits when peak × (1 + headroom) ≤ budget. Defaults to `0.1`. */
    headroom: number;
    /** Largest mean KLD from the reference, nats. Defaults to `defaultMaxKld`. */
    maxKld: number;
    /** Largest PPL ratio to the reference, used where a quant has no KLD. Defaults to `defaultMaxPplRatio`. */
    maxPplRatio: number;
    /** Slowest decode a quant may have, tok/s; null: no floor. Defaults to `null`. */
    minDecodeTps: number | null;
    /** Slowest prefill a quant may have, tok/s; null: no floor. Defaults to `null`. */
    minPrefillTps: number | null;
}

/**
 * The default quality bound, from llama.cpp's LLaMA 3 8B scoreboard (ggml-org/llama.cpp/tools/perplexity/README.md,
 * revision f364eb6f, wikitext-2, KLD from F16): Q4_K_M 0.031273 ± 0.000238 nats (PPL ratio 1.028), Q4_K_S 0.043136, Q4_0 0.071940,
 * Q3_K_M 0.101913, Q8_0 0.001355, Q6_K 0.005452. 0.05 admits the 4-bit K-quants people run by default and
 * everything finer, and rules out the legacy 4-bit quants and every 3-bit one, whose loss that table shows to be
 * twice Q4_K_M's and more.
 */
export const defaultMaxKld = 0.05;
/**
 * The same line in PPL ratio on that table (F16 PPL 6.2316): Q4_K_S 1.043 and Q4_K_M 1.028 are inside 1.05;
 * Q4_1 1.072, Q4_0 1.075 and Q3_K_M 1.105 are outside.
 */
export const defaultMaxPplRatio = 1.05;

export const defaultConstraints: Readonly<RecommendConstraints> = Object.freeze({
    objective: "decode",
    promptTokens: 512,
    answerTokens: 256,
    memoryBytes: null,
    headroom: 0.1,
    maxKld: defaultMaxKld,
    maxPplRatio: defaultMaxPplRatio,
    minDecodeTps: null,
    minPrefillTps: null
});

/** The constraints as a suite's `recommend:` block or the command line writes them (see `RecommendSpec`). */
export type WrittenConstraints = RecommendSpec;

/**
 * `written` over `base`, each value checked. `where` names the source in errors (`--memory`, `suite.yaml recommend`);
 * `keyName` turns a key into what the user wrote (a flag or a suite key). Throws `InputError` on a bad value.
 */
export function resolveConstraints(
    written: WrittenConstraints, base: Readonly<RecommendConstraints> = defaultConstraints,
    keyName: (key: keyof WrittenConstraints) => string = (key) => key
): RecommendConstraints {
    const out: RecommendConstraints = { ...base };
    const bad = (key: keyof WrittenConstraints, expected: string, value: unknown): never => {
        throw new InputError(`${keyName(key)}: expected ${expected}, got \`${visible(String(value))}\``);
    };
    const positive = (key: keyof WrittenConstraints, value: number | undefined, integer = false): number | undefined => {
        if (value === undefined) return undefined;
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
            bad(key, integer ? "a whole number > 0" : "a number > 0", value);
        return value;
    };
    if (written.objective !== undefined) {
        if (!(objectives as readonly string[]).includes(written.objective)) bad("objective", objectives.map((o) => `\`${o}\``).join(", "), written.objective);
        out.objective = written.objective as Objective;
    }
    out.promptTokens = positive("promptTokens", written.promptTokens, true) ?? out.promptTokens;
    out.answerTokens = positive("answerTokens", written.answerTokens, true) ?? out.answerTokens;
    if (written.memory !== undefined) out.memoryBytes = parseBytes(written.memory) ?? bad("memory", "a size such as `8GiB`, `512MiB` or a number of bytes", written.memory);
    if (written.headroom !== undefined) {
        const h = written.headroom;
        if (typeof h !== "number" || !Number.isFinite(h) || h < 0 || h > 1000) bad("headroom", "a percentage from 0 to 1000", h);
        out.headroom = h / 100;
    }
    out.maxKld = positive("maxKld", written.maxKld) ?? out.maxKld;
    out.maxPplRatio = positive("maxPplRatio", written.maxPplRatio) ?? out.maxPplRatio;
    if (written.maxPplRatio !== undefined && written.maxPplRatio < 1) bad("maxPplRatio", "a ratio >= 1", written.maxPplRatio);
    out.minDecodeTps = positive("minDecodeTps", written.minDecodeTps) ?? out.minDecodeTps;
    out.minPrefillTps = positive("minPrefillTps", written.minPrefillTps) ?? out.minPrefillTps;
    return out;
}
