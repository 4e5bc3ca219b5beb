/** A figure against a setting or over time: one line with points per series (scaling, history). */
import { baseSpec, seriesEncoding, type ChartModel } from "./chartModel.ts";
import { utcTime } from "../data/timestamp.ts";

export interface LinePoint {
    series: string;
    /** Number, or an ISO date for `temporal`. */
    x: number | string;
    y: number;
    /** Extra tooltip lines (`commit: abc123`). */
    notes?: string[];
}

export interface LineChartOptions {
    id: string;
    title: string;
    /** `higher is better` / `lower is better`, from the catalogue. */
    better: string;
    xTitle: string;
    yTitle: string;
    /** `ordinal`: one evenly spaced step per x value, in `xDomain`'s order (runs, not wall time). */
    xType: "quantitative" | "temporal" | "ordinal";
    /** The order of the x values of an `ordinal` axis. Defaults to their order in the points. */
    xDomain?: string[];
    /** Column titles of the data table: x, y. */
    columns: [string, string];
    /** Text of an x value in the data table. Defaults to `String`. */
    xText?: (x: number | string) => string;
    yText: (y: number) => string;
}

export function lineChart(points: readonly LinePoint[], o: LineChartOptions): ChartModel {
    const series = [...new Set(points.map((p) => p.series))];
    const xText = o.xText ?? ((x: number | string) => (typeof x === "string" && o.xType === "temporal" ? utcTime(x) : String(x)));
    const noteCount = Math.max(0, ...points.map((p) => p.notes?.length ?? 0));
    const values = points.map((p) => {
        const row: Record<string, string | number> = { series: p.series, x: p.x, xText: xText(p.x), y: p.y, yText: o.yText(p.y) };
        (p.notes ?? []).forEach((note, i) => { row[`n${i}`] = note; });
        return row;
    });
    // a number axis ticks at the values measured (sequences 1, 2, 4, 8; threads 1, 2), not at vega's steps between
    // them (1.1, 1.2, … read as if 1.5 sequences could run); times are ISO instants in UTC, and shown in UTC whatever
    // the reader's time zone (a utc scale formats its axis so)
    const xs = [...new Set(points.flatMap((p) => (typeof p.x === "number" ? [p.x] : [])))].sort((a, b) => a - b);
    const x = {
        field: "x", type: o.xType, title: o.xTitle,
        ...(o.xType === "quantitative"
            ? { scale: { zero: false, nice: true }, axis: { values: xs, format: xs.every(Number.isInteger) ? "d" : "~g", labelOverlap: "greedy" } }
            : o.xType === "ordinal" ? { sort: o.xDomain ?? [...new Set(points.map((p) => String(p.x)))], axis: { labelAngle: -35, labelLimit: 180, labelOverlap: "greedy" } }
            : { scale: { type: "utc" }, axis: { format: "%b %d %H:%M", labelAngle: -30 } })
    };
    const y = { field: "y", type: "quantitative", title: `${o.yTitle} — ${o.better}`, scale: { zero: false, nice: true } };
    const spec = {
        ...baseSpec(o.title, o.better === "" ? [] : [o.better[0]!.toUpperCase() + o.better.slice(1) + "."]),
        width: "container", height: 300,
        data: { values },
        layer: [
            { mark: { type: "line", strokeWidth: 1.5 }, encoding: { x, y, color: seriesEncoding("series", "config", series).color, detail: { field: "series" } } },
            {
                mark: { type: "point", filled: true, size: 70 },
                encoding: {
                    x, y, ...seriesEncoding("series", "config", series),
                    tooltip: [
                        { field: "series", title: "config" },
                        { field: "xText", title: o.xTitle },
                        { field: "yText", title: o.yTitle },
                        ...Array.from({ length: noteCount }, (_, i) => ({ field: `n${i}`, title: " " }))
                    ]
                }
            }
        ]
    };
    return {
        id: o.id, title: o.title, better: o.better, spec,
        table: { columns: ["config", ...o.columns], rows: points.map((p) => [p.series, xText(p.x), o.yText(p.y)]) }
    };
}
