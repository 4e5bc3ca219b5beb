/** A config page's charts: every repetition as a point, the RSS timeline by phase, token gaps by position. */
import type { ConfigDetail } from "../data/configDetail.ts";
import { gapsByPosition } from "../data/configDetail.ts";
import { formatValue, metricInfo } from "../data/metricInfo.ts";
import { phases } from "../../../runner/results.ts";
import { downsampleRss } from "../../../runner/stats/downsampleRss.ts";
import { computeStatistics } from "../../../runner/stats/computeStatistics.ts";
import { baseSpec, palette, seriesEncoding, type ChartModel } from "./chartModel.ts";
import { own } from "../../../runner/dict.ts";

const mib = 1048576;

/** Metrics a config page shows per repetition: what a reader judges a config by (engine counters and parts stay in the table view of the CLI). */
export const repetitionMetrics = ["ttftMs", "prefillTps", "decodeTps", "pgTps", "e2eTps", "itlP90Ms", "e2eMs"] as const;

/** One strip per metric: each tick one repetition, rows by prompt/test; the table lists each row's repetitions. */
export function repetitionsChart(id: string, detail: ConfigDetail): ChartModel | null {
    const present = new Set(detail.repetitions.flatMap((r) => Object.keys(r.metrics)));
    const metrics = repetitionMetrics.filter((name) => present.has(name)).map((name) => metricInfo(name));
    if (metrics.length === 0) return null;
    const rows: string[][] = [];
    const strips = metrics.map((info) => {
        const values = detail.repetitions.flatMap((r) => {
            const value = own(r.metrics, info.name);
            return value == null ? [] : [{ prompt: r.prompt, rep: r.rep + 1, value, text: formatValue(info.name, value) }];
        });
        for (const prompt of [...new Set(values.map((v) => v.prompt))])
            rows.push([info.title, prompt, values.filter((v) => v.prompt === prompt).map((v) => v.text).join(", ")]);
        return {
            data: { values },
            width: 520, height: { step: 22 },
            mark: { type: "tick", thickness: 2, size: 16 },
            encoding: {
                x: { field: "value", type: "quantitative", title: `${info.title} — ${info.better}`, scale: { zero: false, nice: true } },
                y: { field: "prompt", type: "nominal", title: null },
                color: { value: palette[0] },
                tooltip: [{ field: "prompt", title: "prompt/test" }, { field: "rep", title: "repetition" }, { field: "text", title: info.title }]
            }
        };
    });
    const title = "Every repetition";
    return {
        id, title, better: "each metric's direction is on its axis",
        spec: { ...baseSpec(title, ["One tick per measured repetition; the direction that is better is on each axis."]), vconcat: strips, spacing: 18 },
        table: { columns: ["metric", "prompt/test", "repetitions in order"], rows }
    };
}

/** Most RSS samples a chart draws; longer timelines keep each bucket's highest sample, so the peak survives. */
export const maxRssPoints = 600;

export function rssTimelineChart(id: string, detail: ConfigDetail): ChartModel | null {
    if (detail.rss.length === 0) return null;
    // the record keeps at most 240 samples (downsampleRss); older databases may hold more: drawn as the same rule keeps them
    const values = downsampleRss(detail.rss, maxRssPoints).map((s) => ({ t: s.t / 1000, mib: s.bytes / mib, phase: s.phase, text: formatValue("peakRssBytes", s.bytes) }));
    const title = "Resident memory over the config's life";
    const x = { field: "t", type: "quantitative", title: "time since the child started measuring, s" };
    const y = { field: "mib", type: "quantitative", title: "RSS MiB — lower is better", scale: { zero: false } };
    const seen = phases.filter((p) => values.some((v) => v.phase === p));
    const spec = {
        ...baseSpec(title, [`Sampled resident set size, coloured by phase${detail.rss.length > maxRssPoints ? ` (${detail.rss.length} samples drawn as ${maxRssPoints}: each phase's peak and the upper envelope)` : ""}. Lower is better.`]),
        width: "container", height: 260,
        data: { values },
        layer: [
            { mark: { type: "line", color: "#bbb", strokeWidth: 1 }, encoding: { x, y } },
            {
                mark: { type: "point", filled: true, size: 22 },
                encoding: { x, y, ...seriesEncoding("phase", "phase", seen), tooltip: [{ field: "t", title: "s", format: ".2f" }, { field: "phase" }, { field: "text", title: "RSS" }] }
            }
        ]
    };
    return {
        id, title, better: "lower is better", spec,
        table: { columns: ["time s", "phase", "RSS"], rows: values.map((v) => [v.t.toFixed(2), v.phase, v.text]) }
    };
}

/** Gap before each generated token: the median over repetitions per prompt and position, with a band from min to max. */
export function itlChart(id: string, detail: ConfigDetail): ChartModel | null {
    const gaps = new Map<string, Map<number, number[]>>();
    for (const r of detail.repetitions) {
        if (r.tokenTimesMs == null) continue;
        let byPosition = gaps.get(r.prompt);
        if (byPosition == null) gaps.set(r.prompt, byPosition = new Map());
        for (const g of gapsByPosition(r.tokenTimesMs)) byPosition.set(g.position, [...(byPosition.get(g.position) ?? []), g.gapMs]);
    }
    const values = [...gaps].flatMap(([prompt, byPosition]) => [...byPosition].map(([position, list]) => {
        const s = computeStatistics(list);
        return { prompt, position, median: s.median, min: s.min, max: s.max, n: s.n };
    }));
    if (values.length === 0) return null;
    const prompts = [...gaps.keys()];
    const color = seriesEncoding("prompt", "prompt", prompts).color;
    const x = { field: "position", type: "quantitative", title: "generated token position" };
    const title = "Token timing over the answer";
    const spec = {
        ...baseSpec(title, ["Gap before each generated token (inter-token latency): median over repetitions, band from min to max. Lower is better."]),
        width: "container", height: 260,
        data: { values },
        layer: [
            { mark: { type: "area", opacity: 0.18 }, encoding: { x, y: { field: "min", type: "quantitative" }, y2: { field: "max" }, color } },
            {
                mark: { type: "line", point: { filled: true, size: 16 }, strokeWidth: 1.2 },
                encoding: {
                    x, y: { field: "median", type: "quantitative", title: "gap ms — lower is better" }, color,
                    tooltip: [{ field: "prompt" }, { field: "position", title: "token" }, { field: "median", title: "median gap ms", format: ".2f" },
                        { field: "min", title: "min", format: ".2f" }, { field: "max", title: "max", format: ".2f" }, { field: "n", title: "repetitions" }]
                }
            }
        ]
    };
    return {
        id, title, better: "lower is better", spec,
        table: { columns: ["prompt", "token", "median gap ms", "min", "max"], rows: values.map((v) => [v.prompt, String(v.position), v.median.toFixed(2), v.min.toFixed(2), v.max.toFixed(2)]) }
    };
}
