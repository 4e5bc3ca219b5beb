/** The overview's table per suite: model × quant (× swept settings) → the headline figures, median ± sd. */
import { configMetrics, figure, formatFigure, headlinePrompt, measuredMetrics } from "./figures.ts";
import { defaultCatalogue, metricInfo, type Catalogue } from "./metricInfo.ts";
import { settingsText, variedSettings } from "./sections.ts";
import type { ConfigView } from "./types.ts";

export interface HeadlineColumn {
    metric: string;
    /** The prompt or test the column reads; null for per-config figures. */
    prompt: string | null;
    title: string;
    better: string;
}

export interface HeadlineRow {
    config: ConfigView;
    /** The swept settings of this config (`threads=1`), or `""`. */
    settings: string;
    /** One text per column; null where the config has no such figure. */
    cells: (string | null)[];
}

export interface HeadlineTable {
    columns: HeadlineColumn[];
    rows: HeadlineRow[];
}

/** Speed, latency and memory shown for every suite, then the headline quality metrics (catalogue) some config measured. */
export const headlineMetrics = ["decodeTps", "ttftMs", "prefillTps", "peakRssBytes", "sizeBytes"] as const;

/** Headline columns for `configs` (columns nobody measured are left out) and one row per config. */
export function headlineTable(configs: readonly ConfigView[], catalogue: Catalogue = defaultCatalogue): HeadlineTable {
    const metrics = [...headlineMetrics, ...measuredMetrics(configs, "quality", catalogue, true)];
    const columns: HeadlineColumn[] = [];
    for (const metric of metrics) {
        const prompt = headlinePrompt(configs, metric);
        const perConfig = (configMetrics as readonly string[]).includes(metric);
        if (!perConfig && prompt == null) continue;
        if (perConfig && configs.every((config) => figure(config, metric, null) == null)) continue;
        const info = metricInfo(metric, catalogue);
        columns.push({ metric, prompt, title: info.title, better: info.better });
    }
    const swept = variedSettings(configs);
    const rows = configs.map((config): HeadlineRow => ({
        config,
        settings: settingsText(config, swept),
        cells: columns.map((column) => {
            const value = figure(config, column.metric, column.prompt);
            return value == null ? null : formatFigure(column.metric, value, catalogue);
        })
    }));
    return { columns, rows };
}
