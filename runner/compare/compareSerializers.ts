/**
 * A comparison as text (a table for the terminal, coloured on a TTY), markdown (a one-line verdict on top, for a
 * pull-request comment) or JSON (for tools). One set of cells serves the text and markdown tables.
 */
import { styleText } from "node:util";
import { formatMetricValue, metricDef, metricTitle } from "../metrics/catalogue.ts";
import { markdownCell, type Serializers } from "../format/serializer.ts";
import { renderTable } from "../format/table.ts";
import { visible } from "../format/visible.ts";
import { qualityItem } from "./compareQuality.ts";
import { configItem, type Comparison, type MetricRow, type Unmatched, type Verdict } from "./compareSides.ts";
import type { Knee } from "../stats/knee.ts";

export const compareSerializers: Serializers<Comparison> = {
    text: (c, opts) => compareText(c, opts?.color ?? false),
    md: compareMarkdown,
    json: (c) => `${JSON.stringify(c, null, 2)}\n`
};

/** How the verdicts were reached, in one sentence (the `--help` text says the same at more length). */
export function methodLine(c: Comparison): string {
    const quality = c.rows.some((r) => r.item === qualityItem)
        ? `, ${qualityItem} by the paired t on per-position differences${c.pool ? " of the newest run's pass" : ""}`
        : "";
    return `${Math.round(c.level * 100)} % intervals and p from Welch's t-test on the logs of the repetitions${c.pool ? " (runs pooled)" : ""}${quality}; ` +
        `flagged when the whole interval lies beyond ±${c.threshold} %`;
}

/**
 * Why rows were not judged, one line per reason: `model a; model b: KLD p99, KLD max: <note>` (more than 3 configs
 * are counted instead of named). Labels are untrusted: escape the lines for where they go.
 */
export function noteLines(c: Comparison): string[] {
    const groups = new Map<string, MetricRow[]>();
    for (const row of c.rows) if (row.note != null) groups.set(row.note, [...(groups.get(row.note) ?? []), row]);
    return [...groups].map(([note, rows]) => {
        const labels = [...new Set(rows.map((r) => `${r.label} ${r.item}`))];
        const metrics = [...new Set(rows.map((r) => metricDef(r.metric)?.label ?? r.metric))];
        return `${labels.length <= 3 ? labels.join("; ") : `${labels.length} configs`}: ${metrics.join(", ")}: ${note}`;
    });
}

/** `model par:pp256+tg128: knee 4 → 8 sequences (still rising); ITL p90 over 100 ms from 8 → none`: one line per test. */
export function kneeLines(c: Comparison): string[] {
    const knee = (k: Knee) => (k.knee == null ? "none" : `${k.knee}${k.stillRising ? "+" : ""}`);
    return c.knees.map((pair) => {
        const budget = pair.baseline.overBudget == null && pair.candidate.overBudget == null ? ""
            : `; ITL p90 over budget from ${pair.baseline.overBudget ?? "none"} → ${pair.candidate.overBudget ?? "none"} sequences`;
        return `${pair.label} ${pair.test}: knee ${knee(pair.baseline)} → ${knee(pair.candidate)} sequences${budget}`;
    });
}

/** `2 regressions, 1 improvement, 40 unchanged, 5 not judged`. */
export function countsLine(c: Comparison): string {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 || word.endsWith("d") ? "" : "s"}`;
    return [plural(c.counts.regression, "regression"), plural(c.counts.improvement, "improvement"),
        `${c.counts.unchanged} unchanged`, `${c.counts["not judged"]} not judged`].join(", ");
}

/** Warnings that go with a comparison: machines that differ, configs paired despite different settings. */
export function comparisonWarnings(c: Comparison): string[] {
    return [
        ...c.machines.map((m) => `machines differ (${m.baseline === m.candidate ? m.baseline : `${m.baseline} → ${m.candidate}`}): ${m.differences.join("; ")}`),
        ...c.pairedDifferences.map((p) => `paired by ${c.matchBy}, the configs differ (${p.label}): ${p.differences.join("; ")}`)
    ];
}

function percent(ratio: number): string {
    // a KLD of a coarser quant is hundreds of times a finer one's: a factor reads better than +66253 %
    if (ratio >= 10) return `×${ratio.toFixed(ratio < 100 ? 1 : 0)}`;
    const value = (ratio - 1) * 100;
    return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(Math.abs(value) < 10 ? 1 : 0)} %`;
}

function changeCell(row: MetricRow): string {
    if (!Number.isFinite(row.ratio)) return "";
    return row.low == null || row.high == null ? percent(row.ratio) : `${percent(row.ratio)} [${percent(row.low)}, ${percent(row.high)}]`;
}

function valueCell(metric: string, value: number): string {
    const def = metricDef(metric);
    const unit = def == null || def.unit === "bytes" || def.unit === "" ? "" : ` ${def.unit}`;
    return `${formatMetricValue(metric, value)}${unit}`;
}

function pCell(p: number | null): string {
    return p == null ? "–" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

function rowCells(row: MetricRow, showMachine: boolean, escape: (text: string) => string): string[] {
    const verdict = row.verdict === "unchanged" ? "" : row.verdict;
    return [
        ...(showMachine ? [escape(row.machine)] : []),
        escape(row.label), escape(row.item), metricTitle(row.metric),
        `${valueCell(row.metric, row.baseline.median)} (n=${row.baseline.n})`,
        `${valueCell(row.metric, row.candidate.median)} (n=${row.candidate.n})`,
        changeCell(row), pCell(row.p), verdict
    ];
}

function header(showMachine: boolean): string[] {
    return [...(showMachine ? ["machine"] : []), "config", "prompt/test", "metric", "baseline median", "candidate median", "change [95 % CI]", "p", "verdict"];
}

const showMachineFor = (c: Comparison) => new Set(c.rows.map((r) => r.machine)).size > 1;

function unmatchedLine(u: Unmatched, showMachine: boolean): string {
    return `${u.side}: ${u.label}${u.item != null ? ` ${u.item}` : ""} (${u.config}${showMachine ? `, ${u.machine}` : ""}): ${u.why}`;
}

function compareText(c: Comparison, color: boolean): string {
    const showMachine = showMachineFor(c);
    const paint = (verdict: Verdict, text: string) => (!color ? text
        : verdict === "regression" ? styleText(["red", "bold"], text) : verdict === "improvement" ? styleText("green", text) : text);
    const rows = c.rows.map((row) => rowCells(row, showMachine, visible));
    const left = showMachine ? 3 : 2;
    // aligned first, then coloured: escape codes would upset the widths
    const table = renderTable([header(showMachine), ...rows], left).split("\n")
        .map((line, i) => (i < 2 ? line : paint(c.rows[i - 2]!.verdict, line)));
    const lines = [
        `baseline:  ${visible(c.baseline.description)}`,
        `candidate: ${visible(c.candidate.description)}`,
        "",
        ...table,
        "",
        `${countsLine(c)} (${methodLine(c)})`
    ];
    const knees = kneeLines(c);
    if (knees.length > 0) lines.push("", "serving knees (baseline → candidate; + : still rising at the highest level):", ...knees.map((line) => `  ${visible(line)}`));
    const notes = noteLines(c);
    if (notes.length > 0) lines.push("", "not judged:", ...notes.map((line) => `  ${visible(line)}`));
    if (c.unmatched.length > 0) lines.push("", `unmatched (${c.unmatched.length}):`, ...c.unmatched.map((u) => `  ${visible(unmatchedLine(u, showMachine))}`));
    return `${lines.join("\n")}\n`;
}

function markdownTable(c: Comparison, rows: MetricRow[]): string[] {
    const showMachine = showMachineFor(c);
    const cells = [header(showMachine), ...rows.map((row) => rowCells(row, showMachine, markdownCell))];
    return [
        `| ${cells[0]!.join(" | ")} |`,
        `|${cells[0]!.map((_, i) => (i < (showMachine ? 3 : 2) + 1 ? " --- " : " ---: ")).join("|")}|`,
        ...cells.slice(1).map((row) => `| ${row.join(" | ")} |`)
    ];
}

function compareMarkdown(c: Comparison): string {
    const flagged = c.rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement");
    const regressions = c.rows.filter((r) => r.verdict === "regression");
    const worst = regressions.reduce<MetricRow | null>((w, r) => (w == null || Math.abs(Math.log(r.ratio)) > Math.abs(Math.log(w.ratio)) ? r : w), null);
    const verdict = regressions.length > 0
        ? `**gguf-bench: ${regressions.length} regression${regressions.length === 1 ? "" : "s"} beyond ${c.threshold} %**, worst ${markdownCell(worst!.label)} ${markdownCell(worst!.item)} ${metricTitle(worst!.metric)} ${percent(worst!.ratio)}`
        : `**gguf-bench: no regression beyond ${c.threshold} %** (${c.counts.improvement} improvement${c.counts.improvement === 1 ? "" : "s"})`;
    const lines = [
        verdict,
        "",
        `Baseline ${markdownCell(c.baseline.description)}; candidate ${markdownCell(c.candidate.description)}. ${countsLine(c)}.`,
        ""
    ];
    for (const warning of comparisonWarnings(c)) lines.push(`> ⚠️ ${markdownCell(warning)}`, "");
    if (flagged.length > 0) lines.push(...markdownTable(c, flagged), "");
    lines.push("<details><summary>every metric compared</summary>", "", ...markdownTable(c, c.rows), "", "</details>", "");
    const knees = kneeLines(c);
    if (knees.length > 0) lines.push(`Serving knees (baseline → candidate; + : still rising): ${knees.map(markdownCell).join("; ")}.`, "");
    const notes = noteLines(c);
    if (notes.length > 0) lines.push(`Not judged: ${notes.map(markdownCell).join("; ")}.`, "");
    if (c.unmatched.length > 0) lines.push(`Unmatched: ${c.unmatched.map((u) => markdownCell(unmatchedLine(u, showMachineFor(c)))).join("; ")}.`, "");
    lines.push(`<sub>${methodLine(c)}. ${configItem} rows are measured once per config${c.rows.some((r) => r.item === qualityItem) ? `; ${qualityItem} rows come from the quality pass, n = scored positions` : ""}.</sub>`);
    return `${lines.join("\n")}\n`;
}
