/**
 * History: a figure of the same config (same config id, so the same model file and settings) on the same machine
 * over every run that holds it, with each run's date and git commit.
 */
import { figure, headlinePrompt } from "./figures.ts";
import type { ConfigView, RunView, SiteData } from "./types.ts";

export interface HistoryPoint {
    series: string;
    run: RunView;
    config: ConfigView;
    median: number;
    sd: number | null;
}

export interface History {
    suite: string;
    machineName: string;
    metric: string;
    prompt: string | null;
    points: HistoryPoint[];
}

export const historyMetrics = ["decodeTps", "prefillTps", "ttftMs", "peakRssBytes"] as const;

/** Per suite and machine, per metric: the configs seen in two runs or more, oldest run first. */
export function histories(site: SiteData): History[] {
    const runs = new Map(site.runs.map((run) => [run.id, run]));
    const groups = new Map<string, ConfigView[]>();
    for (const config of site.configs) {
        if (config.status !== "ok") continue;
        const run = runs.get(config.runId)!;
        const key = JSON.stringify([run.suite.name, run.machineKey, config.id]);
        const list = groups.get(key);
        if (list == null) groups.set(key, [config]);
        else list.push(config);
    }
    const bySection = new Map<string, ConfigView[][]>();
    for (const [key, configs] of groups) {
        if (new Set(configs.map((c) => c.runId)).size < 2) continue;
        const section = JSON.stringify((JSON.parse(key) as string[]).slice(0, 2));
        bySection.set(section, [...(bySection.get(section) ?? []), configs]);
    }
    const result: History[] = [];
    for (const [section, series] of bySection) {
        const [suite] = JSON.parse(section) as [string, string];
        const machineName = runs.get(series[0]![0]!.runId)!.machineName;
        for (const metric of historyMetrics) {
            const prompt = headlinePrompt(series.flat(), metric);
            const points = series.flatMap((configs) => configs.flatMap((config): HistoryPoint[] => {
                const value = figure(config, metric, prompt);
                return value == null ? [] : [{ series: config.label, run: runs.get(config.runId)!, config, median: value.median, sd: value.sd }];
            })).sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
            if (points.length > 0) result.push({ suite, machineName, metric, prompt, points });
        }
    }
    return result;
}

/** The same points as a percentage of each config's first run: regressions show as dips whatever the scale. */
export function relativeToFirst(history: History): { series: string; run: HistoryPoint["run"]; percent: number }[] {
    const first = new Map<string, number>();
    return history.points.flatMap((p) => {
        if (!first.has(p.series)) first.set(p.series, p.median);
        const base = first.get(p.series)!;
        return base === 0 ? [] : [{ series: p.series, run: p.run, percent: (p.median / base) * 100 }];
    });
}
