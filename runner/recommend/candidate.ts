/**
 * One config as a recommendation weighs it: its speed on the objective (median of the repetitions with the median's
 * 95 % interval), its measured memory and its quality figure with the standard error, read from the raw samples of
 * a run as the run-file reader and the store give it.
 */
import type { ConfigRecord, MachineInfo, Measurement, QualityRecord, RunRecord } from "../results.ts";
import { computeStatistics } from "../stats/computeStatistics.ts";
import { medianInterval } from "../stats/medianInterval.ts";
import { qualityFigures, type QualityFigure } from "../stats/qualityFigures.ts";
import type { RecommendConstraints } from "./constraints.ts";

/** A run as the recommendation reads it: a run file's `run` and `configs`, or the store's `getRun`. */
export interface RecommendRun {
    run: Pick<RunRecord, "id" | "startedAt" | "machine"> & Partial<Pick<RunRecord, "suite" | "git">>;
    configs: readonly RecommendConfig[];
}

export type RecommendConfig = Pick<ConfigRecord, "id" | "label" | "status" | "error" | "model" | "params" | "peakRssBytes" | "vramBytes" | "measurements"> & {
    quality?: QualityRecord | null;
};

/** A median with the interval that holds the true median with probability `coverage` (95 % from 6 repetitions on). */
export interface Speed {
    median: number;
    low: number;
    high: number;
    coverage: number;
    /** Repetitions behind it. */
    n: number;
    /** `tok/s` (decode, prefill) or `s` (e2e: one request's seconds, lower is better). */
    unit: "tok/s" | "s";
    /** The prompts or tests it was measured on, e.g. `tg64`, or `pp256 + tg64` for e2e. */
    source: string;
}

/** The quality figure a bound is checked on, ± one standard error; null where the config has no quality pass. */
export interface Quality {
    metric: "kldMean" | "pplRatio" | "perplexity";
    value: number;
    unc: number;
    /** The reference it was compared with; null for perplexity alone. */
    reference: string | null;
}

export interface Memory {
    /** Measured peak: VRAM where the backend reports it, else the child's peak RSS. Null when nothing was measured. */
    bytes: number | null;
    kind: "RAM" | "VRAM";
}

/** Where speeds come from, for one objective: the metric and the measurements that have it. */
const decodeSource = { metric: "decodeTps", tests: (m: Measurement) => m.kind === "tg" && !m.prompt.includes("@") };
const prefillSource = { metric: "prefillTps", tests: (m: Measurement) => m.kind === "pp" && !m.prompt.includes("@") };

/**
 * The samples of `metric` on one workload item: the first no-depth llama-bench test that has it (pure decode or pure
 * prefill), else the first prompt, in the order measured, else a parallel test's one-sequence level (a suite of
 * serving tests only: one sequence's decode after its prompt, and its prefill). Returns null when no measurement has
 * the metric.
 */
function samplesOf(measurements: readonly Measurement[], source: typeof decodeSource): { item: string; values: number[] } | null {
    const has = (m: Measurement) => Number.isFinite(m.metrics[source.metric]);
    const test = measurements.find((m) => source.tests(m) && has(m));
    const item = test?.prompt ?? measurements.find((m) => m.kind === "prompt" && has(m))?.prompt
        ?? measurements.find((m) => m.kind === "parallel" && m.metrics.sequences === 1 && has(m))?.prompt;
    if (item == null) return null;
    return { item, values: measurements.filter((m) => m.prompt === item && has(m)).map((m) => m.metrics[source.metric]!) };
}

function interval(values: number[], unit: Speed["unit"], source: string): Speed | null {
    const median = medianOf(values);
    const range = medianInterval(values);
    if (range == null || median == null) return null;
    return { median, low: range.low, high: range.high, coverage: range.coverage, n: values.length, unit, source };
}

function medianOf(values: readonly number[]): number | null {
    return values.length === 0 ? null : computeStatistics(values).median;
}

/**
 * The config's speed on the objective. For `e2e`, the seconds of one request of `promptTokens` in and
 * `answerTokens` out, promptTokens / prefill + answerTokens / decode, per repetition (the i-th prefill sample with
 * the i-th decode sample), then the median and its interval.
 */
export function speedOf(config: RecommendConfig, constraints: Pick<RecommendConstraints, "objective" | "promptTokens" | "answerTokens">): Speed | null {
    const decode = samplesOf(config.measurements, decodeSource);
    const prefill = samplesOf(config.measurements, prefillSource);
    if (constraints.objective === "decode") return decode == null ? null : interval(decode.values, "tok/s", decode.item);
    if (constraints.objective === "prefill") return prefill == null ? null : interval(prefill.values, "tok/s", prefill.item);
    if (decode == null || prefill == null) return null;
    const n = Math.min(decode.values.length, prefill.values.length);
    const seconds = Array.from({ length: n }, (_, i) => constraints.promptTokens / prefill.values[i]! + constraints.answerTokens / decode.values[i]!);
    return interval(seconds, "s", decode.item === prefill.item ? decode.item : `${prefill.item} + ${decode.item}`);
}

/** A floor on decode or prefill tok/s: the median of that metric, as `speedOf` reads it. */
export function medianSpeed(config: RecommendConfig, objective: "decode" | "prefill"): number | null {
    const samples = samplesOf(config.measurements, objective === "decode" ? decodeSource : prefillSource);
    return samples == null ? null : medianOf(samples.values);
}

/** Mean KLD where the pass has KLD samples, else the PPL ratio against a reference, else perplexity alone. */
export function qualityOf(config: RecommendConfig): Quality | null {
    const pass = config.quality;
    if (pass == null || pass.positions.nll.length === 0) return null;
    const figures = qualityFigures(pass.positions);
    const reference = pass.reference?.name ?? null;
    const pick = (metric: Quality["metric"], figure: QualityFigure | undefined): Quality | null =>
        figure == null ? null : { metric, value: figure.value, unc: figure.unc ?? 0, reference: metric === "perplexity" ? null : reference };
    return pick("kldMean", figures.kldMean) ?? pick("pplRatio", figures.pplRatio) ?? pick("perplexity", figures.perplexity);
}

/**
 * The memory a config was measured to take on the backend that ran it: VRAM when layers were offloaded and the
 * backend reported it, else the peak RSS of its child (the Node runtime and node-llama-cpp included: what running
 * it through node-llama-cpp takes).
 */
export function memoryOf(config: RecommendConfig, machine: MachineInfo): Memory {
    const offloaded = machine.backend !== "cpu" && config.vramBytes != null && config.vramBytes > 0;
    return offloaded ? { bytes: config.vramBytes, kind: "VRAM" } : { bytes: config.peakRssBytes, kind: "RAM" };
}
