/** A quant ladder's two charts: speed by quant (median, bars from min to max), then peak RSS and file size by quant. */
import type { Ladder } from "../data/ladder.ts";
import { formatValue, metricInfo } from "../data/metricInfo.ts";
import { baseSpec, seriesEncoding, type ChartModel } from "./chartModel.ts";
import { isReference } from "../data/tradeoff.ts";
import { logTicks } from "./tradeoffChart.ts";

const mib = 1048576;

export function ladderSpeedChart(id: string, ladder: Ladder): ChartModel | null {
    const values = ladder.steps.flatMap((step) => step.speeds.map((s) => ({
        quant: step.quant, settings: step.settings || "as run", metric: `${metricInfo(s.metric).title} (${s.prompt})`,
        median: s.value.median, min: s.value.min, max: s.value.max, n: s.value.n, label: step.config.label
    })));
    if (values.length === 0) return null;
    const quants = [...new Set(ladder.steps.map((s) => s.quant))];
    const series = [...new Set(values.map((v) => v.settings))];
    const title = `${ladder.family}: speed by quant`;
    const better = "higher is better";
    const x = { field: "quant", type: "nominal", title: "quant (largest file first)", sort: quants, axis: { labelAngle: 0 } };
    const y = { field: "median", type: "quantitative", title: "tokens/s — higher is better", scale: { zero: true } };
    const xOffset = { field: "settings", sort: series };
    const spec = {
        ...baseSpec(title, ["Median over repetitions; bars span min to max. Higher is better."]),
        data: { values },
        facet: { column: { field: "metric", type: "nominal", title: null, header: { labelFontSize: 12 } } },
        resolve: { scale: { y: "independent" } },
        spec: {
            width: 260, height: 220,
            layer: [
                { mark: { type: "rule", strokeWidth: 2 }, encoding: { x, xOffset, y: { field: "min", type: "quantitative" }, y2: { field: "max" }, color: seriesEncoding("settings", "settings", series).color } },
                {
                    mark: { type: "point", filled: true, size: 80 },
                    encoding: {
                        x, xOffset, y, ...seriesEncoding("settings", "settings", series),
                        tooltip: [
                            { field: "label", title: "config" }, { field: "metric", title: "metric" },
                            { field: "median", title: "median tok/s", format: ".1f" }, { field: "min", title: "min", format: ".1f" },
                            { field: "max", title: "max", format: ".1f" }, { field: "n", title: "repetitions" }
                        ]
                    }
                }
            ]
        }
    };
    return {
        id, title, better, spec,
        table: {
            columns: ["config", "metric", "median tok/s", "min", "max", "repetitions"],
            rows: values.map((v) => [v.label, v.metric, v.median.toFixed(1), v.min.toFixed(1), v.max.toFixed(1), String(v.n)])
        }
    };
}

export function ladderMemoryChart(id: string, ladder: Ladder): ChartModel | null {
    const values = ladder.steps.flatMap((step) => ([["peakRssBytes", step.peakRssBytes], ["sizeBytes", step.sizeBytes]] as const)
        .flatMap(([metric, bytes]) => bytes == null ? [] : [{
            step: step.settings === "" ? step.quant : `${step.quant} ${step.settings}`, what: metricInfo(metric).title, mib: bytes / mib,
            text: formatValue(metric, bytes), label: step.config.label
        }]));
    if (values.length === 0) return null;
    const steps = [...new Set(values.map((v) => v.step))];
    const kinds = [...new Set(values.map((v) => v.what))];
    const title = `${ladder.family}: memory by quant`;
    const better = "lower is better";
    const spec = {
        ...baseSpec(title, ["Peak resident memory of the config's process beside the model file's size. Lower is better."]),
        width: "container", height: 220,
        data: { values },
        mark: { type: "bar" },
        encoding: {
            x: { field: "step", type: "nominal", title: "quant (largest file first)", sort: steps, axis: { labelAngle: steps.some((s) => s.includes(" ")) ? -20 : 0, labelLimit: 220 } },
            xOffset: { field: "what", sort: kinds },
            y: { field: "mib", type: "quantitative", title: "MiB — lower is better" },
            ...seriesEncoding("what", "figure", kinds),
            tooltip: [{ field: "label", title: "config" }, { field: "what", title: "figure" }, { field: "text", title: "value" }]
        }
    };
    delete (spec.encoding as Record<string, unknown>).shape;
    return {
        id, title, better, spec,
        table: { columns: ["config", "figure", "value"], rows: values.map((v) => [v.label, v.what, v.text]) }
    };
}

/**
 * Quality loss by quant: mean KLD from the reference (else perplexity) with ± 1.96 standard errors, on a log axis
 * (quants differ by orders of magnitude); the reference itself (KLD 0 by definition) is named, not plotted.
 */
export function ladderQualityChart(id: string, ladder: Ladder): ChartModel | null {
    const hasKld = ladder.steps.some((step) => step.config.summaries.quality?.kldMean != null);
    const metric = hasKld ? "kldMean" : "perplexity";
    const info = metricInfo(metric);
    const all = ladder.steps.flatMap((step) => {
        const s = step.config.summaries.quality?.[metric];
        return s == null ? [] : [{
            step: step.settings === "" ? step.quant : `${step.quant} ${step.settings}`, value: s.median,
            low: Math.max(s.median - 1.96 * s.sd, s.median / 10), high: s.median + 1.96 * s.sd,
            text: `${formatValue(metric, s.median)} ± ${formatValue(metric, s.sd)}`, label: step.config.label, reference: isReference(step.config)
        }];
    });
    const values = all.filter((v) => v.value > 0 && !(hasKld && v.reference));
    if (values.length === 0) return null;
    const references = all.filter((v) => hasKld && v.reference).map((v) => v.step);
    const steps = [...new Set(values.map((v) => v.step))];
    const ticks = logTicks(Math.min(...values.map((v) => v.low)), Math.max(...values.map((v) => v.high)));
    const title = `${ladder.family}: ${info.title} by quant`;
    const better = "lower is better";
    const y = { field: "value", type: "quantitative", title: `${info.axisTitle} — lower is better (log scale)`, scale: { type: "log" }, axis: { values: ticks.values, format: ticks.format } };
    const x = { field: "step", type: "nominal", title: "quant (largest file first)", sort: steps, axis: { labelAngle: 0 } };
    const spec = {
        ...baseSpec(title, [
            `${hasKld ? "Mean KL divergence from the reference" : "Perplexity"}, ± 1.96 standard errors. Lower is better.`,
            ...(references.length > 0 ? [`${references.join(", ")}: the reference (KLD 0 by definition), not drawn on the log axis.`] : [])
        ]),
        width: "container", height: 220,
        data: { values },
        layer: [
            { mark: { type: "rule", strokeWidth: 2, color: "#888" }, encoding: { x, y: { ...y, field: "low" }, y2: { field: "high" } } },
            {
                mark: { type: "point", filled: true, size: 80, color: "#0072B2" },
                encoding: { x, y, tooltip: [{ field: "label", title: "config" }, { field: "text", title: info.title }] }
            }
        ]
    };
    return {
        id, title, better, spec,
        table: {
            columns: ["config", info.title],
            rows: all.map((v) => [v.label, v.reference && hasKld ? `${v.text} (the reference)` : v.text])
        }
    };
}
