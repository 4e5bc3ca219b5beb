/** One metric of the same configs on different machines: a bar per machine beside each config. */
import type { MachineComparison } from "../data/machines.ts";
import { axisValue, formatValue, metricInfo } from "../data/metricInfo.ts";
import { baseSpec, seriesEncoding, type ChartModel } from "./chartModel.ts";

export function machineChart(id: string, comparisons: readonly MachineComparison[]): ChartModel {
    const metric = comparisons[0]!.metric;
    const info = metricInfo(metric);
    const values = comparisons.flatMap((c) => c.entries.map((e) => ({
        config: c.label, machine: e.run.machineName, value: axisValue(info, e.median), text: formatValue(metric, e.median), run: e.run.id
    })));
    const machines = [...new Set(values.map((v) => v.machine))];
    const title = `${info.title} by machine`;
    const spec = {
        ...baseSpec(title, [`Each machine's newest run of the same config. ${info.better[0]!.toUpperCase()}${info.better.slice(1)}.`]),
        // a fixed width: with a height that grows with the configs, "container" makes vega-lite drop its fit-y (a warning)
        width: 640, height: { step: 14 },
        data: { values },
        mark: { type: "bar" },
        encoding: {
            y: { field: "config", type: "nominal", title: null },
            yOffset: { field: "machine", sort: machines },
            x: { field: "value", type: "quantitative", title: `${info.axisTitle}${comparisons[0]!.prompt == null ? "" : ` (${comparisons[0]!.prompt})`} — ${info.better}` },
            color: seriesEncoding("machine", "machine", machines).color,
            tooltip: [{ field: "config" }, { field: "machine" }, { field: "text", title: info.title }, { field: "run" }]
        }
    };
    return {
        id, title, better: info.better, spec,
        table: { columns: ["config", "machine", info.title], rows: values.map((v) => [v.config, v.machine, v.text]) }
    };
}
