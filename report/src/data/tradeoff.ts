/**
 * The trade-off the report is for: speed against memory, and against quality loss where quality was measured.
 * Each point is one config of a section (its median), labelled by quant, with every headline figure for tooltips.
 */
import { figure, headlinePrompt, measuredMetrics } from "./figures.ts";
import { defaultCatalogue, metricInfo, type Catalogue, type MetricInfo } from "./metricInfo.ts";
import { paretoFront } from "./pareto.ts";
import { headlineTable, type HeadlineTable } from "./headlineTable.ts";
import type { ConfigView } from "./types.ts";

export interface TradeoffPoint {
    config: ConfigView;
    x: number;
    y: number;
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

/** One trade-off of `yMetric` against `xMetric` over the configs that have both. */
export function tradeoff(configs: readonly ConfigView[], xMetric: string, yMetric: string, catalogue: Catalogue = defaultCatalogue,
    table: HeadlineTable = headlineTable(configs, catalogue)): Tradeoff | null {
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
        return [{ config: row.config, x: xv.median, y: yv.median, details, settings: row.settings }];
    });
    if (candidates.length === 0) return null;
    const front = paretoFront(candidates, x.direction, y.direction);
    return { x, y, xPrompt, yPrompt, points: candidates.map((point, i) => ({ ...point, onFront: front[i]! })) };
}

/**
 * Speed against peak memory, then speed against quality loss: mean KLD and its p99.9 tail (what quants are ranked on)
 * where a reference was scored, else perplexity.
 */
export function tradeoffs(configs: readonly ConfigView[], catalogue: Catalogue = defaultCatalogue): Tradeoff[] {
    const speed = tradeoffSpeed(configs);
    if (speed == null) return [];
    const quality = measuredMetrics(configs, "quality", catalogue, true).filter((metric) => metric !== "sameTop1");
    const loss = quality.some((metric) => metric.startsWith("kld")) ? quality.filter((metric) => metric.startsWith("kld")) : quality;
    const against = ["peakRssBytes", ...loss];
    const table = headlineTable(configs, catalogue);
    return against.flatMap((metric) => tradeoff(configs, metric, speed, catalogue, table) ?? []);
}
