/** A config page's charts: every repetition as a point, the RSS timeline by phase, token gaps by position. */
import type { ConfigDetail } from "../data/configDetail.ts";
import { gapsByPosition } from "../data/configDetail.ts";
import { formatValue, metricInfo } from "../data/metricInfo.ts";
import { baseSpec, palette, seriesEncoding, type ChartModel } from "./chartModel.ts";

const mib = 1048576;

/** One strip per judged metric (a direction in the catalogue): each point one repetition, rows by prompt/test. */
export function repetitionsChart(id: string, detail: ConfigDetail): ChartModel | null {
    const names = new Set(detail.repetitions.flatMap((r) => Object.keys(r.metrics)));
    const metrics = [...names].map((name) => metricInfo(name)).filter((info) => info.direction !== "none");
    if (metrics.length === 0) return null;
    const rows: string[][] = [];
    const strips = metrics.map((info) => {
        const values = detail.repetitions.flatMap((r) => {
            const value = r.metrics[info.name];
            if (value == null) return [];
            rows.push([info.title, r.prompt, String(r.rep + 1), formatValue(info.name, value)]);
            return [{ prompt: r.prompt, rep: r.rep + 1, value, text: formatValue(info.name, value) }];
        });
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
        table: { columns: ["metric", "prompt/test", "repetition", "value"], rows }
    };
}

const phases = ["idle", "load", "warmup", "prefill", "decode", "unload"] as const;

export function rssTimelineChart(id: string, detail: ConfigDetail): ChartModel | null {
    if (detail.rss.length === 0) return null;
    const values = detail.rss.map((s) => ({ t: s.t / 1000, mib: s.bytes / mib, phase: s.phase, text: formatValue("peakRssBytes", s.bytes) }));
    const title = "Resident memory over the config's life";
    const x = { field: "t", type: "quantitative", title: "time since the child started measuring, s" };
    const y = { field: "mib", type: "quantitative", title: "RSS MiB — lower is better", scale: { zero: false } };
    const seen = phases.filter((p) => values.some((v) => v.phase === p));
    const spec = {
        ...baseSpec(title, ["Sampled resident set size, coloured by phase. Lower is better."]),
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

export function itlChart(id: string, detail: ConfigDetail): ChartModel | null {
    const values = detail.repetitions.flatMap((r) => r.tokenTimesMs == null ? [] : gapsByPosition(r.tokenTimesMs)
        .map((g) => ({ prompt: r.prompt, run: `${r.prompt} #${r.rep + 1}`, rep: r.rep + 1, position: g.position, gap: g.gapMs })));
    if (values.length === 0) return null;
    const prompts = [...new Set(values.map((v) => v.prompt))];
    const title = "Token timing over the answer";
    const spec = {
        ...baseSpec(title, ["Gap before each generated token (inter-token latency), one line per repetition. Lower is better."]),
        width: "container", height: 260,
        data: { values },
        mark: { type: "line", point: { filled: true, size: 18 }, strokeWidth: 1 },
        encoding: {
            x: { field: "position", type: "quantitative", title: "generated token position" },
            y: { field: "gap", type: "quantitative", title: "gap ms — lower is better" },
            color: seriesEncoding("prompt", "prompt", prompts).color,
            detail: { field: "run" },
            tooltip: [{ field: "prompt" }, { field: "rep", title: "repetition" }, { field: "position", title: "token" }, { field: "gap", title: "gap ms", format: ".2f" }]
        }
    };
    return {
        id, title, better: "lower is better", spec,
        table: { columns: ["prompt", "repetition", "token", "gap ms"], rows: values.map((v) => [v.prompt, String(v.rep), String(v.position), v.gap.toFixed(2)]) }
    };
}
