/** The final table: one row per config and prompt/test, medians ± sd over the measured repetitions. */
import type { ConfigRecord, Summary } from "../results.ts";
import { formatBytes } from "../format/bytes.ts";
import { renderTable } from "../format/table.ts";
import { metricDef, metricTitle } from "../metrics/catalogue.ts";
import { visible } from "../format/visible.ts";
import { own } from "../dict.ts";

/** Metrics shown per prompt/test, in this order; titles and decimals come from the metric catalogue. */
const columnMetrics = ["ttftMs", "prefillTps", "decodeTps", "engineDecodeTps", "itlP90Ms", "e2eMs", "pgTps"] as const;

interface Column {
    title: string;
    metric: string;
    digits: number;
}

const columns: Column[] = columnMetrics.map((metric) => ({ title: metricTitle(metric), metric, digits: metricDef(metric)!.digits }));

/** The table's cells: a header and one row per config and prompt/test, and the error lines of configs that did not run. */
export function resultsTableCells(records: readonly ConfigRecord[]): { header: string[]; rows: string[][]; errors: string[] } {
    const rows: string[][] = [];
    const used = new Set<Column>();
    // a config that did not run has no figures: its whole error goes under the table, not into the `peak RSS` column;
    // the same error of several configs (a Hub that cannot be reached, say) is one line
    const errors = new Map<string, string[]>();
    for (const record of records) {
        const items = itemsOf(record);
        // parallel levels have their own table (servingTable.ts)
        if (record.status === "ok" && items.length === 0 && record.measurements.length > 0) continue;
        if (record.status !== "ok" || items.length === 0) {
            rows.push([record.label, "", record.status, ""]);
            if (record.error != null) {
                const what = `${record.status}: ${record.error}`;
                errors.set(what, [...errors.get(what) ?? [], record.label]);
            }
            continue;
        }
        for (const item of items) {
            const cells = columns.map((column) => {
                const summary = own(own(record.summary, item), column.metric);
                if (summary == null) return "";
                used.add(column);
                return formatSummary(summary, column.digits);
            });
            rows.push([record.label, item, "ok", formatBytes(record.peakRssBytes ?? 0), ...cells]);
        }
    }
    const shown = columns.map((column) => used.has(column));
    const keep = (cells: string[]) => cells.filter((_, i) => i < 4 || shown[i - 4]);
    const header = ["config", "prompt/test", "status", "peak RSS", ...columns.map((column) => column.title)];
    const errorLines = [...errors].map(([what, labels]) => `${labels.length === 1 ? labels[0] : `${labels.length} configs (${labels[0]}, …)`}: ${what}`);
    return { header: keep(header), rows: rows.map((row) => keep(row.length > 4 ? row : [...row, ...columns.map(() => "")])), errors: errorLines };
}

export function formatResultsTable(records: readonly ConfigRecord[]): string {
    const { header, rows, errors } = resultsTableCells(records);
    const table = renderTable([header, ...rows]);
    return errors.length > 0 ? `${table}\n\n${errors.map(visible).join("\n")}` : table;
}

function itemsOf(record: ConfigRecord): string[] {
    const items: string[] = [];
    for (const measurement of record.measurements)
        if (measurement.kind !== "parallel" && !items.includes(measurement.prompt)) items.push(measurement.prompt);
    return items;
}

export function formatSummary(summary: Summary, digits: number): string {
    const median = summary.median.toFixed(digits);
    return summary.n > 1 ? `${median} ± ${summary.sd.toFixed(digits)}` : median;
}
