/**
 * Scaling: a figure against each numeric setting the suite swept (context, threads, batch, GPU layers, …) and
 * against context depth where llama-bench style tests ran at several depths. Series hold everything else fixed.
 */
import { figure, headlinePrompt } from "./figures.ts";
import { settingsText, variedSettings } from "./sections.ts";
import type { ConfigView } from "./types.ts";

export interface ScalingPoint {
    series: string;
    x: number;
    y: number;
    label: string;
    prompt: string | null;
}

export interface Scaling {
    /** The setting on the x axis, or `depth`. */
    by: string;
    metric: string;
    points: ScalingPoint[];
}

/** Figures drawn against each swept setting. */
export const scalingMetrics = ["decodeTps", "prefillTps", "peakRssBytes"] as const;

/** Swept settings whose values are all numbers (`gpuLayers: max` is drawn where it is the only non-number, as the largest). */
function numericValue(value: unknown): number | null {
    return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Every (swept numeric setting, metric) pair with points, then depth from the tests. */
export function scalings(configs: readonly ConfigView[]): Scaling[] {
    const ok = configs.filter((config) => config.status === "ok");
    const swept = variedSettings(ok);
    const result: Scaling[] = [];
    for (const key of swept) {
        const get = (config: ConfigView) => numericValue((config.params as unknown as Record<string, unknown>)[key]);
        if (!ok.every((config) => get(config) != null)) continue;
        const others = swept.filter((k) => k !== key);
        for (const metric of scalingMetrics) {
            const prompt = headlinePrompt(ok, metric);
            const points = ok.flatMap((config): ScalingPoint[] => {
                const value = figure(config, metric, prompt);
                const series = [config.family, config.quant, settingsText(config, others)].filter((s) => s !== "").join(" ");
                return value == null ? [] : [{ series, x: get(config)!, y: value.median, label: config.label, prompt }];
            });
            if (points.length > 0) result.push({ by: key, metric, points });
        }
    }
    result.push(...depthScalings(ok));
    return result;
}

/** Tests that ran the same work at two or more depths (`tg128`, `tg128@d4096`): speed against depth. */
function depthScalings(configs: readonly ConfigView[]): Scaling[] {
    const result: Scaling[] = [];
    for (const metric of ["decodeTps", "prefillTps"]) {
        const points: ScalingPoint[] = [];
        for (const config of configs) {
            for (const [prompt, byMetric] of Object.entries(config.summaries)) {
                const depth = byMetric.depth?.median;
                const value = byMetric[metric];
                if (depth == null || value == null) continue;
                const work = prompt.replace(/@d\d+$/, "");
                points.push({ series: `${config.label} ${work}`, x: depth, y: value.median, label: config.label, prompt });
            }
        }
        const depthsPerSeries = new Map<string, Set<number>>();
        for (const p of points) depthsPerSeries.set(p.series, (depthsPerSeries.get(p.series) ?? new Set()).add(p.x));
        const kept = points.filter((p) => depthsPerSeries.get(p.series)!.size > 1);
        if (kept.length > 0) result.push({ by: "depth", metric, points: kept });
    }
    return result;
}
