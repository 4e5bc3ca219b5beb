/** The trade-off scatter: one point per config, labelled by quant, coloured and shaped by model, Pareto front drawn. */
import { comparesWithReference, peakMemoryTie, type Tradeoff } from "../data/tradeoff.ts";
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

/**
 * Tick values for a log axis: the powers of ten inside [min, max], or 1-2-5 steps where fewer than two powers fit.
 * One format for all of them (`1e-5`, never `1e-7` beside `0.000001`): exponents when a tick is below 0.001.
 */
export function logTicks(min: number, max: number): { values: number[]; format: string } {
    const candidates: number[] = [];
    for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
        for (const m of [1, 2, 5]) candidates.push(Number((m * 10 ** k).toPrecision(1)));
    const inside = candidates.filter((v) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9));
    const powers = inside.filter((v) => Number.isInteger(Math.log10(v)) || Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    const values = powers.length >= 2 ? powers : inside;
    return { values, format: values.some((v) => v < 1e-3 || v >= 1e6) ? "~e" : "~g" };
}

/** A quantitative axis over every value and interval end; logarithmic (and titled so) when they span more than 20×. */
function axis(field: string, title: string, values: readonly number[]) {
    const min = Math.min(...values);
    const max = Math.max(...values);
    const log = min > 0 && max / min > 20;
    // few ticks, and a label that would touch its neighbour is dropped (peak RSS over 40 MiB drew 40 touching labels);
    // one value alone gets 5 % either side, so the ticks fall on round numbers rather than one tick at the raw value
    // (a single config's peak RSS read `198.273438`)
    const alone = min === max && min !== 0 ? { domain: [min - Math.abs(min) * 0.05, max + Math.abs(max) * 0.05] } : {};
    if (!log) return { field, type: "quantitative", title, scale: { zero: false, nice: true, ...alone }, axis: { tickCount: 8, labelOverlap: "greedy", labelSeparation: 6 } };
    const ticks = logTicks(min, max);
    return { field, type: "quantitative", title: `${title} (log scale)`, scale: { type: "log" }, axis: { values: ticks.values, format: ticks.format } };
}

export function tradeoffChart(id: string, t: Tradeoff): ChartModel {
    const title = `${t.y.title} against ${t.x.title}`;
    const better = bestCorner(t);
    // the reference against itself scores 0 on a divergence: not a point on the axis but a line at its speed
    const apart = comparesWithReference(t.x.name);
    const references = apart ? t.points.filter((p) => p.reference) : [];
    const plotted = t.points.filter((p) => !references.includes(p));
    const families = [...new Set(t.points.map((p) => p.config.family + (p.config.synthetic ? " (synthetic)" : "")))];
    const rowOf = (p: Tradeoff["points"][number]) => {
        const quant = p.settings === "" ? p.config.quant : `${p.config.quant} ${p.settings}`;
        const row: Record<string, string | number | boolean> = {
            x: axisValue(t.x, p.x), y: axisValue(t.y, p.y),
            xLow: axisValue(t.x, p.xLow), xHigh: axisValue(t.x, p.xHigh), yLow: axisValue(t.y, p.yLow), yHigh: axisValue(t.y, p.yHigh),
            quant: p.reference ? `${quant} (reference)` : quant, label: p.config.label,
            model: p.config.family + (p.config.synthetic ? " (synthetic)" : ""), front: p.onFront ? "on the Pareto front" : "dominated"
        };
        p.details.forEach(([, text], i) => { row[`d${i}`] = text; });
        return row;
    };
    const values = plotted.map(rowOf);
    const referenceRows = references.map(rowOf);
    const front = values.filter((v) => v.front === "on the Pareto front").sort((a, b) => (a.x as number) - (b.x as number));
    // an interval end at or below 0 does not decide the scale (a log axis clamps it below)
    const xAxisValues = values.flatMap((v) => [v.x as number, v.xHigh as number, ...((v.xLow as number) > 0 ? [v.xLow as number] : [])]);
    const x = axis("x", axisLabel(t.x.axisTitle, t.xPrompt, t.x.better), xAxisValues);
    const y = axis("y", axisLabel(t.y.axisTitle, t.yPrompt, t.y.better), [...values, ...referenceRows].flatMap((v) => [v.y as number, v.yLow as number, v.yHigh as number]));
    // a log axis cannot hold an interval end at or below 0 (a mean − 1.96 SE): such a bar is drawn to the smallest plotted value
    if ("type" in x.scale && x.scale.type === "log") {
        const floor = Math.min(...values.map((v) => v.x as number).filter((v) => v > 0));
        for (const v of values) if ((v.xLow as number) <= 0) v.xLow = floor;
    }
    // many points: only the front is labelled (every point has its tooltip and its row in the table)
    const labelled = values.length <= maxLabels ? values : front;
    const tooltip = [
        { field: "label", title: "config" },
        { field: "front", title: "trade-off" },
        ...(t.points[0]?.details ?? []).map(([name], i) => ({ field: `d${i}`, title: name }))
    ];
    const spec = {
        ...baseSpec(title, [
            better,
            `Ringed points, joined by the dashed line: the Pareto front (no other config is better on both axes beyond their intervals${t.x.bytes || t.y.bytes ? `; peak memories within ${Math.round(peakMemoryTie * 100)} % count as equal` : ""}).`,
            `Bars: the 95 % interval of the median of the repetitions for speed ([min, max] below 6)${t.xPrompt === "quality" || t.yPrompt === "quality" ? ", ± 1.96 standard errors for quality" : ""}.`,
            ...(referenceRows.length > 0 ? [`Solid line: ${references.map((p) => p.config.quant).join(", ")}, the reference (${t.x.title} 0 by definition), at its speed.`] : [])
        ]),
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
            ...(referenceRows.length > 0 ? [
                {
                    data: { values: referenceRows },
                    mark: { type: "rule", color: "#333", strokeWidth: 1.5 },
                    encoding: { y, tooltip }
                },
                {
                    data: { values: referenceRows },
                    mark: { type: "text", align: "left", baseline: "bottom", dy: -3, x: 4, fontSize: 11, color: "#222" },
                    encoding: { y, text: { field: "quant" } }
                }
            ] : []),
            {
                data: { values },
                mark: { type: "rule", color: "#888", strokeWidth: 1.2 },
                encoding: { x: { ...x, field: "xLow" }, x2: { field: "xHigh" }, y }
            },
            {
                data: { values },
                mark: { type: "rule", color: "#888", strokeWidth: 1.2 },
                encoding: { x, y: { ...y, field: "yLow" }, y2: { field: "yHigh" } }
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
            columns: ["config", "quant", t.x.title, `${t.x.title} interval`, t.y.title, `${t.y.title} interval`, "Pareto front"],
            rows: t.points.map((p) => [
                p.config.label, p.reference ? `${p.config.quant} (reference)` : p.config.quant,
                formatValue(t.x.name, p.x), p.xLow === p.xHigh ? "–" : `${formatValue(t.x.name, p.xLow)} – ${formatValue(t.x.name, p.xHigh)}`,
                formatValue(t.y.name, p.y), p.yLow === p.yHigh ? "–" : `${formatValue(t.y.name, p.yLow)} – ${formatValue(t.y.name, p.yHigh)}`,
                p.onFront ? "yes" : "no"
            ])
        }
    };
}
