/** How the report names a metric: title with unit, direction text, axis unit. All read from the metric catalogue. */
import { formatMetricValue, metricCatalogue, type MetricDef } from "../../../runner/metrics/catalogue.ts";

/** The catalogue the report reads; a parameter so tests can show a metric group the shipped catalogue lacks. */
export type Catalogue = ReadonlyMap<string, MetricDef>;
export const defaultCatalogue: Catalogue = metricCatalogue;

export interface MetricInfo {
    name: string;
    /** `decode tok/s`, `TTFT ms`, `peak RSS`. */
    title: string;
    /** `higher is better`, `lower is better`, or `""`. */
    better: string;
    direction: "higher" | "lower" | "none";
    /** True for byte counts, which charts show in MiB. */
    bytes: boolean;
    /** Title as an axis shows it: bytes in MiB. */
    axisTitle: string;
    /** The catalogue's sentence, or `""` for a metric it does not know. */
    description: string;
}

/** The catalogue's view of `name`; an unknown metric is shown by its name and never judged. */
export function metricInfo(name: string, catalogue: Catalogue = defaultCatalogue): MetricInfo {
    const def = catalogue.get(name);
    if (def == null) return { name, title: name, better: "", direction: "none", bytes: false, axisTitle: name, description: "" };
    const bytes = def.unit === "bytes";
    const title = bytes || def.unit === "" ? def.label : `${def.label} ${def.unit}`;
    const better = def.better === "higher" ? "higher is better" : def.better === "lower" ? "lower is better" : "";
    return { name, title, better, direction: def.better, bytes, axisTitle: bytes ? `${def.label} MiB` : title, description: def.description };
}

/** A value for a chart axis: bytes as MiB, others unchanged. */
export function axisValue(info: MetricInfo, value: number): number {
    return info.bytes ? value / 1048576 : value;
}

/** A value as text with its unit where the title does not carry it (bytes get binary units). */
export function formatValue(name: string, value: number, catalogue: Catalogue = defaultCatalogue): string {
    const def = catalogue.get(name);
    if (def == null) return formatMetricValue(name, value);
    return def.unit === "bytes" ? formatMetricValue(name, value) : value.toFixed(def.digits);
}
