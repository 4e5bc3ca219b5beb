/**
 * One figure of a config: a metric of one prompt/test (median, sd over repetitions) or a per-config figure
 * (peak RSS, file size, load time: one value). Formatting and directions come from the metric catalogue only.
 */
import type { MetricDef } from "../../../runner/metrics/catalogue.ts";
import { defaultCatalogue, formatValue, type Catalogue } from "./metricInfo.ts";
import type { ConfigView } from "./types.ts";
import { own } from "../../../runner/dict.ts";

export interface Figure {
    median: number;
    /** Sample sd over the repetitions; null for a per-config figure. */
    sd: number | null;
    n: number;
    min: number;
    max: number;
}

/** Metrics recorded once per config rather than per repetition. */
export const configMetrics = ["peakRssBytes", "sizeBytes", "loadMs", "vramBytes"] as const;

/** A figure of `config` for `metric` (of `prompt` for per-repetition metrics), or null when it was not measured. */
export function figure(config: ConfigView, metric: string, prompt: string | null): Figure | null {
    if ((configMetrics as readonly string[]).includes(metric)) {
        const value = metric === "sizeBytes" ? config.model?.sizeBytes
            : metric === "peakRssBytes" ? config.peakRssBytes
            : metric === "loadMs" ? config.loadMs : config.vramBytes;
        return value == null ? null : { median: value, sd: null, n: 1, min: value, max: value };
    }
    if (prompt == null) return null;
    const summary = own(own(config.summaries, prompt), metric);
    return summary == null ? null : { median: summary.median, sd: summary.sd, n: summary.n, min: summary.min, max: summary.max };
}

/**
 * The prompt or test whose `metric` stands for a set of configs: the first one, in measured order, that has it
 * in any of them (so every row of a table reads the same prompt). Null for per-config metrics or when none has it.
 */
export function headlinePrompt(configs: readonly ConfigView[], metric: string): string | null {
    if ((configMetrics as readonly string[]).includes(metric)) return null;
    for (const config of configs)
        for (const prompt of config.prompts) if (config.summaries[prompt]?.[metric] != null) return prompt;
    return null;
}

/** `median ± sd` as a table shows it (`1.2 MiB` for bytes, the metric's decimals otherwise). */
export function formatFigure(metric: string, value: Figure, catalogue: Catalogue = defaultCatalogue): string {
    const median = formatValue(metric, value.median, catalogue);
    if (value.sd == null || value.n < 2) return median;
    return `${median} ± ${formatValue(metric, value.sd, catalogue)}`;
}

/** Names of catalogue metrics of `group` that some config measured, in catalogue order. */
export function measuredMetrics(configs: readonly ConfigView[], group: MetricDef["group"], catalogue: Catalogue = defaultCatalogue, headlineOnly = false): string[] {
    const seen = new Set<string>();
    for (const config of configs)
        for (const byMetric of Object.values(config.summaries)) for (const name of Object.keys(byMetric)) seen.add(name);
    return [...catalogue.values()].filter((def) => def.group === group && seen.has(def.name) && (!headlineOnly || def.headline === true)).map((def) => def.name);
}
