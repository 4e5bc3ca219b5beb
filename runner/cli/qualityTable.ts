/**
 * The quality table under the speed table: one row per config that ran a quality pass, the figures of
 * runner/stats/qualityFigures.ts with llama-perplexity's uncertainties, titles and decimals from the metric catalogue.
 * KLD median and p90, Δp mean and ln PPL ratio are in the database and the run file; the terminal keeps to what
 * quants are usually ranked by.
 */
import path from "node:path";
import { formatBytes } from "../format/bytes.ts";
import { formatMs } from "../format/duration.ts";
import { visible } from "../format/visible.ts";
import { metricDef, metricTitle } from "../metrics/catalogue.ts";
import type { ConfigRecord, QualityRecord } from "../results.ts";
import { qualityFigures, type QualityFigure } from "../stats/qualityFigures.ts";
import { renderTable } from "../format/table.ts";

/** Figures shown, in this order; those with an uncertainty show it after `±`. */
const columns = ["perplexity", "top1Accuracy", "kldMean", "kldP99", "kldP999", "kldMax", "sameTop1", "deltaPRms", "pplRatio"] as const;

/**
 * A top-K reference leaving more than this share of its probability outside its K tokens on average gets a warning:
 * the estimate was measured within 3 % (mean) and 7 % (p99) of the exact KLD up to about 8 % tail mass, worse beyond.
 */
export const tailMassWarning = 0.1;

/** The table, or `""` when no config ran a quality pass; warnings about the figures follow it. */
export function formatQualityTable(records: readonly ConfigRecord[]): { table: string; warnings: string[] } {
    const scored = records.filter((record): record is ConfigRecord & { quality: QualityRecord } => record.status === "ok" && record.quality != null);
    if (scored.length === 0) return { table: "", warnings: [] };
    const warnings: string[] = [];
    // one reference for all (the usual case) is named above the table; several get a column
    const refFiles = new Set(scored.map((record) => record.quality.reference?.file ?? ""));
    const refColumn = refFiles.size > 1;
    const rows = scored.map((record) => {
        const figures = qualityFigures(record.quality.positions);
        const cells = columns.map((name) => cell(name, figures[name]));
        return [visible(record.label), ...(refColumn ? [visible(record.quality.reference?.file ?? "-")] : []), ...cells, formatMs(record.quality.ms)];
    });
    const header = ["config", ...(refColumn ? ["reference"] : []), ...columns.map(metricTitle), "time"];
    const shown = header.map((_, i) => i === 0 || i === header.length - 1 || rows.some((row) => row[i] !== ""));
    const keep = (cells: string[]) => cells.filter((_, i) => shown[i]);
    const table = renderTable([keep(header), ...rows.map(keep)]);

    for (const record of scored) {
        const tail = record.quality.positions.tailRef;
        if (tail == null || tail.length === 0) continue;
        const mean = tail.reduce((sum, v) => sum + v, 0) / tail.length;
        if (mean > tailMassWarning)
            warnings.push(`${visible(record.label)}: the reference's top ${record.quality.reference?.topK} tokens held only ${(100 * (1 - mean)).toFixed(1)} % of its probability on average, so its KLD (estimated for the other ${(100 * mean).toFixed(1)} % from the top tokens) may be off by 10 % or more at the tail: raise quality.topK, or set it to all for exact KLD`);
    }
    return { table: `${describe(scored[0]!.quality, !refColumn)}\n${table}`, warnings };
}

function cell(name: string, figure: QualityFigure | undefined): string {
    if (figure == null) return "";
    const digits = metricDef(name)?.digits ?? 4;
    return figure.unc != null ? `${figure.value.toFixed(digits)} ± ${figure.unc.toFixed(digits)}` : figure.value.toFixed(digits);
}

/** `quality: sample.txt, 21 chunks × 128 tokens (1323 scored) vs F16 (synthetic-f16.gguf), exact KLD, reference 2.6 MiB cached`. */
function describe(quality: QualityRecord, oneReference: boolean): string {
    const scored = quality.positions.nll.length;
    const base = `quality: ${visible(path.basename(quality.corpus.path))}, ${quality.chunks} chunk(s) × ${quality.context} tokens (${scored} scored)`;
    const ref = quality.reference;
    if (ref == null) return base;
    if (!oneReference) return `${base} against each model's ${visible(ref.name)}`;
    const mode = ref.topK == null ? "exact KLD" : `KLD estimated from the reference's top ${ref.topK}`;
    const perThousand = formatBytes((ref.cacheBytes / scored) * 1000);
    return `${base} against ${visible(ref.name)} (${visible(ref.file)}), ${mode}; reference cached in ${formatBytes(ref.cacheBytes)} (${perThousand} per 1000 scored tokens)`;
}
