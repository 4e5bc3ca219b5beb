/**
 * A comparison as text (for the terminal, coloured on a TTY), markdown (a pull-request comment read in ten seconds)
 * or JSON (for tools). Both human formats put the verdict first, then what changed: regressions, improvements,
 * inconclusive rows, each grouped by config in suite order; unchanged and unjudged rows only with `all` (text) or
 * folded (markdown).
 */
import { styleText } from "node:util";
import { formatMetricValue, metricDef, metricTitle } from "../metrics/catalogue.ts";
import { markdownCell, type Serializers } from "../format/serializer.ts";
import { renderTable } from "../format/table.ts";
import { visible } from "../format/visible.ts";
import { qualityItem } from "./compareQuality.ts";
import { configItem, type Comparison, type MetricRow, type Unmatched, type Verdict } from "./compareSides.ts";
import type { Knee } from "../stats/knee.ts";

/** Options of the comparison's formats. */
export interface CompareFormatOptions {
    /** Colour the text table. Defaults to `false`. */
    color?: boolean;
    /** Every row in the text output, unchanged and not judged too. Defaults to `false`. */
    all?: boolean;
}

export const compareSerializers: Serializers<Comparison, CompareFormatOptions> = {
    text: (c, opts) => compareText(c, opts?.color ?? false, opts?.all ?? false),
    md: compareMarkdown,
    json: (c) => `${JSON.stringify(c, null, 2)}\n`
};

/** The sections of the output, in order, with their titles. */
const sections: readonly { verdict: Verdict; title: string }[] = [
    { verdict: "regression", title: "regressions" },
    { verdict: "improvement", title: "improvements" },
    { verdict: "inconclusive", title: "inconclusive (the interval reaches past the threshold: neither a change nor none can be told)" },
    { verdict: "unchanged", title: "unchanged (the whole interval inside the threshold)" },
    { verdict: "not judged", title: "not judged (no interval)" }
];

/** How the verdicts were reached, in one sentence (the `--help` text says the same at more length). */
export function methodLine(c: Comparison): string {
    const quality = c.rows.some((r) => r.item === qualityItem) ? `, ${qualityItem} by the paired t on per-position differences` : "";
    return `values are geometric means of the repetitions${c.pool ? " (runs pooled)" : ""} and the change their ratio; ${Math.round(c.level * 100)} % intervals ` +
        `from the noise model named on each row (repetitions: Welch's t on their logs; history: the spread of earlier runs of the config on this machine, or machine history: of every config's earlier runs on it pooled, when wider)${quality}; ` +
        `regression or improvement when the whole interval lies beyond ±${c.threshold} %, unchanged when it lies inside, inconclusive otherwise`;
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

/** `model par:pp256+tg128: knee 4 → 8+ sequences; ITL p90 over budget from 8 → none sequences`: one line per test. */
export function kneeLines(c: Comparison): string[] {
    const knee = (k: Knee) => (k.knee == null ? "none" : `${k.knee}${k.stillRising ? "+" : ""}`);
    return c.knees.map((pair) => {
        const budget = pair.baseline.overBudget == null && pair.candidate.overBudget == null ? ""
            : `; ITL p90 over budget from ${pair.baseline.overBudget ?? "none"} → ${pair.candidate.overBudget ?? "none"} sequences`;
        return `${pair.label} ${pair.test}: knee ${knee(pair.baseline)} → ${knee(pair.candidate)} sequences${budget}`;
    });
}

/** `2 regressions, 1 improvement, 3 inconclusive, 40 unchanged, 5 not judged`. */
export function countsLine(c: Comparison): string {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return [plural(c.counts.regression, "regression"), plural(c.counts.improvement, "improvement"),
        `${c.counts.inconclusive} inconclusive`, `${c.counts.unchanged} unchanged`, `${c.counts["not judged"]} not judged`].join(", ");
}

/** The verdict in one line: what a reader or a CI log needs first. */
export function verdictLine(c: Comparison): string {
    const { regression, improvement, inconclusive } = c.counts;
    const rest = countsLine(c);
    if (regression > 0) return `REGRESSION: ${regression} row${regression === 1 ? "" : "s"} worse beyond ${c.threshold} % (${rest})`;
    if (improvement > 0) return `no regression beyond ${c.threshold} %, ${improvement} improvement${improvement === 1 ? "" : "s"} (${rest})`;
    return `no change beyond ${c.threshold} %${inconclusive > 0 ? `, but ${inconclusive} row${inconclusive === 1 ? "" : "s"} inconclusive` : ""} (${rest})`;
}

/**
 * What would settle the inconclusive rows, in one line: each one's interval reaches across ±threshold; how wide
 * the intervals are at the median row (half the width of the log interval, as ±%), which noise model judged most of
 * them (the spread that set their width), and that more runs a side narrow them. Null when no row is inconclusive.
 */
export function inconclusiveHint(c: Comparison): string | null {
    const rows = c.rows.filter((r) => r.verdict === "inconclusive" && r.low != null && r.high != null && r.low > 0);
    if (rows.length === 0) return null;
    const halfWidths = rows.map((r) => (Math.exp((Math.log(r.high!) - Math.log(r.low!)) / 2) - 1) * 100).sort((a, b) => a - b);
    const median = halfWidths[Math.floor((halfWidths.length - 1) / 2)]!;
    const models = new Map<string, number>();
    for (const r of rows) models.set(r.noise, (models.get(r.noise) ?? 0) + 1);
    const [model, count] = [...models.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const runs = Math.min(c.baseline.runs.length, c.candidate.runs.length);
    const sides = c.pool ? "more runs a side narrow them" : `${runs <= 1 ? "these come from one run a side; " : ""}more runs a side narrow them (commit them, then compare with --pool)`;
    return `each inconclusive interval reaches across ±${c.threshold} %; at the median row it spans ±${median.toFixed(median < 10 ? 1 : 0)} % ` +
        `(${count} of ${rows.length} rows judged by ${model}): ${sides}`;
}

/** Warnings that go with a comparison: machines that differ. */
export function comparisonWarnings(c: Comparison): string[] {
    return c.machines.map((m) => `machines differ (${m.baseline === m.candidate ? m.baseline : `${m.baseline} → ${m.candidate}`}): ${m.differences.join("; ")}`);
}

/** What differs between configs paired by label or position, or between the binaries one config id ran on: `context: 1024 → 4096 (synthetic small Q4_0, paired by label)`. */
export function differenceLines(c: Comparison): string[] {
    return c.pairedDifferences.map((p) => `${p.differences.length > 0 ? p.differences.join("; ") : "the config id only"} (${p.label}, paired by ${p.by})`);
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
    if (!Number.isFinite(value)) return "–";
    const def = metricDef(metric);
    const unit = def == null || def.unit === "bytes" || def.unit === "" ? "" : ` ${def.unit}`;
    return `${formatMetricValue(metric, value)}${unit}`;
}

function noiseCell(row: MetricRow): string {
    const model = row.noise === "history" ? `history (${row.historyRuns} runs)`
        : row.noise === "machine history" ? `machine history (${row.historyFigures} figures)`
        : row.noise === "none" ? "–" : row.noise;
    return row.busy === true ? `${model}, busy machine` : model;
}

/**
 * Configs measured on a busy machine, one line each, and what it means for the regressions among their rows: still
 * regressions (the slowdown happened), with the note that the machine, not the change, may be their cause.
 */
export function busyLines(c: Comparison): string[] {
    if (c.busy.length === 0) return [];
    // one line per busy config; a side with several folds into one line that names the first
    const lines = (["baseline", "candidate"] as const).flatMap((side) => {
        const busy = c.busy.filter((b) => b.side === side);
        if (busy.length <= 1) return busy.map((b) => `the machine was busy: ${b.reason} during ${b.label} (${side})`);
        return [`the machine was busy during ${busy.length} configs of the ${side}: ${busy[0]!.reason} during ${busy[0]!.label}, …`];
    });
    const regressions = c.rows.filter((r) => r.verdict === "regression" && r.busy === true).length;
    if (regressions > 0) lines.push(`${regressions} of the ${c.counts.regression} regression(s) were measured while the machine was busy: they are real slowdowns of these runs, but the machine, not the change, may be their cause; run both sides again on a quiet machine`);
    return lines;
}

const showMachineFor = (c: Comparison) => new Set(c.rows.map((r) => r.machine)).size > 1;

/** Cells of rows grouped by config (the config shown on its first row only), in the order given (the suite's). */
function tableCells(rows: readonly MetricRow[], showMachine: boolean, escape: (text: string) => string, repeat: boolean): string[][] {
    let last = "";
    return rows.map((row) => {
        const group = `${row.machine}\n${row.config}\n${row.label}`;
        const first = repeat || group !== last;
        last = group;
        return [
            ...(showMachine ? [first ? escape(row.machine) : ""] : []),
            first ? escape(row.label) : "", escape(row.item), metricTitle(row.metric),
            `${valueCell(row.metric, row.baseline.value)} (n=${row.baseline.n})`,
            `${valueCell(row.metric, row.candidate.value)} (n=${row.candidate.n})`,
            changeCell(row), noiseCell(row)
        ];
    });
}

function header(showMachine: boolean, level: number): string[] {
    const pct = Math.round(level * 100);
    return [...(showMachine ? ["machine"] : []), "config", "prompt/test", "metric", "baseline (geo. mean)", "candidate (geo. mean)", `change [${pct} % CI]`, "noise model"];
}

function unmatchedLine(u: Unmatched, showMachine: boolean): string {
    return `${u.side}: ${u.label}${u.item != null ? ` ${u.item}` : ""} (${u.config}${showMachine ? `, ${u.machine}` : ""}): ${u.why}`;
}

function compareText(c: Comparison, color: boolean, all: boolean): string {
    const showMachine = showMachineFor(c);
    const paint = (verdict: Verdict, text: string) => (!color ? text
        : verdict === "regression" ? styleText(["red", "bold"], text) : verdict === "improvement" ? styleText("green", text) : text);
    const lines = [
        paint(c.counts.regression > 0 ? "regression" : c.counts.improvement > 0 ? "improvement" : "unchanged", verdictLine(c)),
        `baseline:  ${visible(c.baseline.description)}${runsNote(c.baseline)}`,
        `candidate: ${visible(c.candidate.description)}${runsNote(c.candidate)}`
    ];
    const differences = differenceLines(c);
    if (differences.length > 0) lines.push("what differs between the paired configs:", ...differences.map((d) => `  ${visible(d)}`));
    for (const line of busyLines(c)) lines.push(visible(line));
    for (const { verdict, title } of sections) {
        const rows = c.rows.filter((r) => r.verdict === verdict);
        if (rows.length === 0 || (!all && (verdict === "unchanged" || verdict === "not judged"))) continue;
        // aligned first, then coloured: escape codes would upset the widths
        const table = renderTable([header(showMachine, c.level), ...tableCells(rows, showMachine, (t) => t, false)], showMachine ? 3 : 2).split("\n")
            .map((line, i) => (i < 2 ? line : paint(verdict, line)));
        lines.push("", `${title}: ${rows.length}`, ...table);
        const hint = verdict === "inconclusive" ? inconclusiveHint(c) : null;
        if (hint != null) lines.push(visible(hint));
    }
    if (!all && c.counts.unchanged + c.counts["not judged"] > 0) lines.push("", `(${c.counts.unchanged} unchanged and ${c.counts["not judged"]} not judged rows not shown: --all shows every row)`);
    const knees = kneeLines(c);
    if (knees.length > 0) lines.push("", "serving knees (baseline → candidate; + : still rising at the highest level):", ...knees.map((line) => `  ${visible(line)}`));
    lines.push("", methodLine(c));
    const notes = noteLines(c);
    if (notes.length > 0) lines.push("", "not judged:", ...notes.map((line) => `  ${visible(line)}`));
    if (c.unmatched.length > 0) lines.push("", `unmatched (${c.unmatched.length}):`, ...c.unmatched.map((u) => `  ${visible(unmatchedLine(u, showMachine))}`));
    return `${lines.join("\n")}\n`;
}

function runsNote(side: Comparison["baseline"]): string {
    return side.runs.length === 0 ? "" : `: run ${side.runs.map(visible).join(", ")}`;
}

function markdownTable(c: Comparison, rows: readonly MetricRow[], withVerdict: boolean): string[] {
    const showMachine = showMachineFor(c);
    const head = [...header(showMachine, c.level), ...(withVerdict ? ["verdict"] : [])];
    const body = tableCells(rows, showMachine, markdownCell, true).map((cells, i) => [...cells, ...(withVerdict ? [rows[i]!.verdict] : [])]);
    const left = (showMachine ? 3 : 2) + 1;
    return [
        `| ${head.join(" | ")} |`,
        `|${head.map((_, i) => (i < left ? " --- " : " ---: ")).join("|")}|`,
        ...body.map((row) => `| ${row.join(" | ")} |`)
    ];
}

function compareMarkdown(c: Comparison): string {
    const regressions = c.rows.filter((r) => r.verdict === "regression");
    const changed = c.rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement");
    const worst = regressions.reduce<MetricRow | null>((w, r) => (w == null || Math.abs(Math.log(r.ratio)) > Math.abs(Math.log(w.ratio)) ? r : w), null);
    const verdict = worst != null
        ? `**gguf-bench: ${regressions.length} regression${regressions.length === 1 ? "" : "s"} beyond ${c.threshold} %**, worst ${markdownCell(worst.label)} ${markdownCell(worst.item)} ${metricTitle(worst.metric)} ${percent(worst.ratio)}`
        : c.counts.improvement > 0
            ? `**gguf-bench: no regression beyond ${c.threshold} %**, ${c.counts.improvement} improvement${c.counts.improvement === 1 ? "" : "s"}`
            : `**gguf-bench: no change beyond ${c.threshold} %**`;
    const lines = [verdict, "", `${countsLine(c)}. Baseline ${markdownCell(c.baseline.description)}; candidate ${markdownCell(c.candidate.description)}.`, ""];
    for (const line of differenceLines(c)) lines.push(`> changed: ${markdownCell(line)}`);
    for (const warning of [...comparisonWarnings(c), ...busyLines(c)]) lines.push(`> ⚠️ ${markdownCell(warning)}`);
    if (lines.at(-1) !== "") lines.push("");
    if (changed.length > 0) lines.push(...markdownTable(c, changed, true), "");
    const inconclusive = c.rows.filter((r) => r.verdict === "inconclusive");
    if (inconclusive.length > 0)
        lines.push(`<details><summary>${inconclusive.length} inconclusive</summary>`, "", ...markdownTable(c, inconclusive, false), "", markdownCell(inconclusiveHint(c) ?? ""), "", "</details>", "");
    const knees = kneeLines(c);
    if (knees.length > 0) lines.push(`Serving knees (baseline → candidate; + : still rising): ${knees.map(markdownCell).join("; ")}.`, "");
    lines.push(`<details><summary>all ${c.rows.length} rows</summary>`, "", ...markdownTable(c, c.rows, true), "");
    const notes = noteLines(c);
    if (notes.length > 0) lines.push(`Not judged: ${notes.map(markdownCell).join("; ")}.`, "");
    if (c.unmatched.length > 0) lines.push(`Unmatched: ${c.unmatched.map((u) => markdownCell(unmatchedLine(u, showMachineFor(c)))).join("; ")}.`, "");
    lines.push(`<sub>${markdownCell(methodLine(c))}. ${configItem} rows are measured once per config${c.rows.some((r) => r.item === qualityItem) ? `; ${qualityItem} rows come from the quality pass, n = scored positions` : ""}.</sub>`, "", "</details>");
    return `${lines.join("\n")}\n`;
}
