/** The trade-off scatter: one point per config, labelled by quant, coloured and shaped by model, Pareto front drawn. */
import type { Tradeoff } from "../data/tradeoff.ts";
import { axisValue, formatValue } from "../data/metricInfo.ts";
import { baseSpec, seriesEncoding, type ChartModel } from "./chartModel.ts";

function axisLabel(title: string, prompt: string | null, better: string): string {
    return `${title}${prompt == null ? "" : ` (${prompt})`} — ${better}`;
}

/** Which corner is best, in words, from the two directions. */
export function bestCorner(t: Tradeoff): string {
    const vertical = t.y.direction === "higher" ? "up" : "down";
    const horizontal = t.x.direction === "lower" ? "left" : "right";
    return `${vertical} and to the ${horizontal} is better`;
}

/** Points beyond this many are labelled only on the Pareto front. */
export const maxLabels = 24;

/** A quantitative axis; logarithmic (and titled so) when the values span more than 20×. */
function axis(field: string, title: string, values: readonly number[]) {
    const min = Math.min(...values);
    const log = min > 0 && Math.max(...values) / min > 20;
    return { field, type: "quantitative", title: log ? `${title} (log scale)` : title, scale: log ? { type: "log" } : { zero: false, nice: true } };
}

export function tradeoffChart(id: string, t: Tradeoff): ChartModel {
    const title = `${t.y.title} against ${t.x.title}`;
    const better = bestCorner(t);
    const families = [...new Set(t.points.map((p) => p.config.family + (p.config.synthetic ? " (synthetic)" : "")))];
    const values = t.points.map((p) => {
        const row: Record<string, string | number | boolean> = {
            x: axisValue(t.x, p.x), y: axisValue(t.y, p.y), quant: p.settings === "" ? p.config.quant : `${p.config.quant} ${p.settings}`, label: p.config.label,
            model: p.config.family + (p.config.synthetic ? " (synthetic)" : ""), front: p.onFront ? "on the Pareto front" : "dominated"
        };
        p.details.forEach(([, text], i) => { row[`d${i}`] = text; });
        return row;
    });
    const front = values.filter((v) => v.front === "on the Pareto front").sort((a, b) => (a.x as number) - (b.x as number));
    const x = axis("x", axisLabel(t.x.axisTitle, t.xPrompt, t.x.better), values.map((v) => v.x as number));
    const y = axis("y", axisLabel(t.y.axisTitle, t.yPrompt, t.y.better), values.map((v) => v.y as number));
    // many points: only the front is labelled (every point has its tooltip and its row in the table)
    const labelled = values.length <= maxLabels ? values : front;
    const tooltip = [
        { field: "label", title: "config" },
        { field: "front", title: "trade-off" },
        ...(t.points[0]?.details ?? []).map(([name], i) => ({ field: `d${i}`, title: name }))
    ];
    const spec = {
        ...baseSpec(title, [better, "Ringed points, joined by the dashed line: the Pareto front (no other config is better on both axes)."]),
        width: "container",
        height: 380,
        layer: [
            {
                data: { values: front },
                mark: { type: "line", strokeDash: [6, 4], color: "#777" },
                encoding: { x, y }
            },
            {
                data: { values: front },
                mark: { type: "point", filled: false, size: 300, color: "#333", strokeWidth: 1.5 },
                encoding: { x, y }
            },
            {
                data: { values },
                mark: { type: "point", filled: true, size: 110, opacity: 0.9 },
                encoding: { x, y, ...seriesEncoding("model", "model", families), tooltip }
            },
            {
                data: { values: labelled },
                mark: { type: "text", dx: 9, dy: -9, align: "left", fontSize: 11, color: "#222" },
                encoding: { x, y, text: { field: "quant" } }
            }
        ]
    };
    return {
        id, title, better, spec,
        table: {
            columns: ["config", "quant", t.x.title, t.y.title, "Pareto front"],
            rows: t.points.map((p) => [p.config.label, p.config.quant, formatValue(t.x.name, p.x), formatValue(t.y.name, p.y), p.onFront ? "yes" : "no"])
        }
    };
}
