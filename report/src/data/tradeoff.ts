/**
 * The trade-off the report is for: speed against memory, and against quality loss where quality was measured.
 * Each point is one config of a section (its median), labelled by quant, with every headline figure for tooltips.
 */
import { medianInterval } from "../../../runner/stats/medianInterval.ts";
import { figure, headlinePrompt, measuredMetrics, type Figure } from "./figures.ts";
import { defaultCatalogue, metricInfo, type Catalogue, type MetricInfo } from "./metricInfo.ts";
import { paretoFront } from "./pareto.ts";
import { headlineTable, type HeadlineTable } from "./headlineTable.ts";
import type { ConfigView } from "./types.ts";

export interface TradeoffPoint {
    config: ConfigView;
    x: number;
    y: number;
    /** The interval of each coordinate (see `figureInterval`); equal to the value for a figure measured once. */
    xLow: number;
    xHigh: number;
    yLow: number;
    yHigh: number;
    /** The config is the quality reference itself (its divergence from itself is 0 by definition). */
    reference: boolean;
    onFront: boolean;
    /** The config's swept settings (`threads=1`), `""` when the suite swept none. */
    settings: string;
    /** Every headline column of the section as [title, text] (`–` where the config lacks it), the same columns for every point. */
    details: [string, string][];
}

export interface Tradeoff {
    x: MetricInfo;
    y: MetricInfo;
    /** The prompt/test each axis reads (null for a per-config figure). */
    xPrompt: string | null;
    yPrompt: string | null;
    points: TradeoffPoint[];
}

/** The speed metric a trade-off plots: decode where measured, else prefill. Null when neither is. */
export function tradeoffSpeed(configs: readonly ConfigView[]): string | null {
    for (const metric of ["decodeTps", "prefillTps"]) if (headlinePrompt(configs, metric) != null) return metric;
    return null;
}

/** The raw repetitions of one metric of one config's prompt/test, where the caller can read them; else null. */
export type SamplesOf = (config: ConfigView, prompt: string, metric: string) => readonly number[] | null;

/** 1.96 standard errors: the two-sided 95 % interval of a quality figure. */
const z95 = 1.96;

/**
 * The interval a trade-off point carries on one axis: for a per-repetition metric, the 95 % interval of the median
 * of its repetitions (`medianInterval`: [min, max] below 6 repetitions, which the summary has without the samples);
 * for a quality figure, ± 1.96 standard errors; a figure measured once (peak memory) has none.
 */
export function figureInterval(config: ConfigView, metric: string, prompt: string | null, value: Figure, samplesOf?: SamplesOf): { low: number; high: number } {
    if (prompt == null || value.n < 2) return { low: value.median, high: value.median };
    if (prompt === "quality") {
        const se = value.sd ?? 0;
        return { low: value.median - z95 * se, high: value.median + z95 * se };
    }
    const samples = samplesOf?.(config, prompt, metric);
    const range = samples != null && samples.length > 0 ? medianInterval(samples) : null;
    // without the samples: [min, max], which is the interval itself below 6 repetitions and wider above
    return range == null ? { low: value.min, high: value.max } : { low: range.low, high: range.high };
}

/**
 * Peak memory is measured once per config (its child's high-water mark), so it has no interval of its own; but it
 * is not exact either. The same config's peak RSS across 8–11 runs on the project's VM (six configs, 25M and 360M
 * models, 2026-12-06) ranged over 1.7–17 MiB: 0.3–2.2 % of the peak, once 4.2 %. So on the Pareto front two peaks
 * within this share of the larger count as equal, and the config better on the other axis dominates (pareto.ts,
 * `ties`). Without it, two thread counts of one quant (the same weights) both stayed on the front, the slower one for
 * a 1 MiB smaller peak. The chart still draws the figure as measured, with no error bar.
 */
export const peakMemoryTie = 0.05;

/** Quality figures measured against a reference: the reference itself scores 0 (or 1, or 100 %) on each by definition. */
const againstReference = new Set(["kldMean", "kldMedian", "kldP90", "kldP99", "kldP999", "kldMax", "pplRatio", "lnPplRatio", "sameTop1", "deltaPMean", "deltaPRms"]);

/** Whether `config` is the reference its own quality pass was compared with (the same file). */
export function isReference(config: ConfigView): boolean {
    const reference = config.quality?.reference;
    return reference != null && config.model != null && reference.sha256 === config.model.sha256;
}

/** Whether `metric` compares a config with its reference (the reference cannot be placed on a log axis of it). */
export function comparesWithReference(metric: string): boolean {
    return againstReference.has(metric);
}

/** One trade-off of `yMetric` against `xMetric` over the configs that have both. */
export function tradeoff(configs: readonly ConfigView[], xMetric: string, yMetric: string, catalogue: Catalogue = defaultCatalogue,
    table: HeadlineTable = headlineTable(configs, catalogue), samplesOf?: SamplesOf): Tradeoff | null {
    const x = metricInfo(xMetric, catalogue);
    const y = metricInfo(yMetric, catalogue);
    if (x.direction === "none" || y.direction === "none") return null;
    const xPrompt = headlinePrompt(configs, xMetric);
    const yPrompt = headlinePrompt(configs, yMetric);
    const candidates = table.rows.flatMap((row) => {
        const xv = figure(row.config, xMetric, xPrompt);
        const yv = figure(row.config, yMetric, yPrompt);
        if (xv == null || yv == null) return [];
        const details = table.columns.map((column, i): [string, string] =>
            [column.prompt == null ? column.title : `${column.title} (${column.prompt})`, row.cells[i] ?? "–"]);
        const xi = figureInterval(row.config, xMetric, xPrompt, xv, samplesOf);
        const yi = figureInterval(row.config, yMetric, yPrompt, yv, samplesOf);
        return [{
            config: row.config, x: xv.median, y: yv.median, xLow: xi.low, xHigh: xi.high, yLow: yi.low, yHigh: yi.high,
            reference: isReference(row.config), details, settings: row.settings
        }];
    });
    if (candidates.length === 0) return null;
    // a figure measured once in bytes (peak memory) ties within peakMemoryTie
    const tie = (info: MetricInfo, prompt: string | null) => (info.bytes && prompt == null ? peakMemoryTie : undefined);
    const front = paretoFront(candidates.map((p) => ({ x: p.x, y: p.y, xLow: p.xLow, xHigh: p.xHigh, yLow: p.yLow, yHigh: p.yHigh })),
        x.direction, y.direction, { x: tie(x, xPrompt), y: tie(y, yPrompt) });
    return { x, y, xPrompt, yPrompt, points: candidates.map((point, i) => ({ ...point, onFront: front[i]! })) };
}

/**
 * Speed against peak memory, then speed against quality loss: mean KLD and its p99.9 tail (what quants are ranked on)
 * where a reference was scored, else perplexity.
 */
export function tradeoffs(configs: readonly ConfigView[], catalogue: Catalogue = defaultCatalogue, samplesOf?: SamplesOf): Tradeoff[] {
    const speed = tradeoffSpeed(configs);
    if (speed == null) return [];
    const quality = measuredMetrics(configs, "quality", catalogue, true).filter((metric) => metric !== "sameTop1");
    const loss = quality.some((metric) => metric.startsWith("kld")) ? quality.filter((metric) => metric.startsWith("kld")) : quality;
    const against = ["peakRssBytes", ...loss];
    const table = headlineTable(configs, catalogue);
    return against.flatMap((metric) => tradeoff(configs, metric, speed, catalogue, table, samplesOf) ?? []);
}
