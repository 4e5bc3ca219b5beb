/**
 * The serving table under the speed table: for each config's parallel test, one row per level measured (aggregate
 * prefill and decode tokens/s, the time to first token and the inter-token latency one sequence sees, KV cells and
 * resident memory), medians ± sd over the repetitions, then the knee in one line (runner/stats/knee.ts).
 */
import { renderTable } from "../format/table.ts";
import { visible } from "../format/visible.ts";
import { formatMetricValue, metricDef, metricTitle } from "../metrics/catalogue.ts";
import type { ConfigRecord } from "../results.ts";
import { kneeText, parallelOutcome } from "../stats/knee.ts";
import { parallelLevelId } from "../suite/parallelIds.ts";
import { formatSummary } from "./resultsTable.ts";

const columns = ["prefillTps", "decodeTps", "ttftMs", "itlP90Ms", "kvCells", "levelRssBytes"] as const;
/** The aggregates under llama-batched-bench's names, which these are. */
const titles = new Map<string, string>([["prefillTps", "S_PP tok/s"], ["decodeTps", "S_TG tok/s"], ["kvCells", "KV cells"]]);

/** The table and the knee lines, or `""` when no config ran a parallel test. */
export function formatServingTable(records: readonly ConfigRecord[]): string {
    const rows: string[][] = [];
    const knees: string[] = [];
    for (const record of records) {
        if (record.status !== "ok") continue;
        for (const test of record.parallel ?? []) {
            for (const sequences of test.sequences) {
                const summary = record.summary[parallelLevelId(test, sequences)];
                if (summary == null) continue;
                rows.push([record.label, test.id, String(sequences), ...columns.map((metric) => {
                    const s = summary[metric];
                    if (s == null) return "";
                    return metricDef(metric)!.unit === "bytes" ? formatMetricValue(metric, s.median) : formatSummary(s, metricDef(metric)!.digits);
                })]);
            }
            knees.push(`${record.label} ${kneeText(parallelOutcome(test, record.summary))}`);
        }
    }
    if (rows.length === 0 && knees.length === 0) return "";
    const header = ["config", "parallel test", "sequences", ...columns.map((metric) => titles.get(metric) ?? metricTitle(metric))];
    return `${renderTable([header, ...rows])}\n${knees.map((line) => visible(line)).join("\n")}`;
}
