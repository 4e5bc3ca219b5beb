/**
 * Two sides → one row per matched (machine, config, prompt/test, metric): both medians, the ratio with its 95 %
 * interval, the p-value and a verdict. The statistics are stats/logRatio.ts's (Welch's t on the logs of the raw
 * repetitions); directions come from the metric catalogue; only metrics with a direction are judged. Quality passes
 * are compared position by position instead (compareQuality.ts), as the item `(quality)`.
 *
 * The verdict: a regression (or an improvement) when the whole 95 % interval of the ratio lies beyond the threshold
 * on the worse (better) side, that is, with 95 % confidence the change is larger than the threshold. A change that is
 * significant but may be smaller than the threshold is `unchanged`.
 */
import { InputError } from "../errors.ts";
import { metricCatalogue, metricDef, type Direction } from "../metrics/catalogue.ts";
import { computeStatistics } from "../stats/computeStatistics.ts";
import { logRatio } from "../stats/logRatio.ts";
import { parallelOutcome, type Knee } from "../stats/knee.ts";
import { samplesByPrompt, summarizeMeasurements } from "../stats/summarize.ts";
import type { RunFileQuality } from "../store/runFile.ts";
import { compareQuality, qualityItem, qualityMetrics } from "./compareQuality.ts";
import { fingerprintDifferences } from "./machine.ts";
import type { Side } from "./resolveSide.ts";
import { configDifferences, sideConfigs, type Entry } from "./sideConfigs.ts";
import { verdictOf, type Verdict } from "./verdict.ts";

/** How configs of the two sides are paired: by config id, by label, or by their order in the run (per machine). */
export type MatchBy = "id" | "label" | "order";
export type { Verdict } from "./verdict.ts";

export interface CompareOptions {
    /** Percent a change must exceed, with `level` confidence, to be a regression or an improvement. Defaults to `5`. */
    threshold?: number;
    /** Only these metrics. Defaults to every metric with a direction. */
    metrics?: readonly string[];
    /** Pair configs of different machines too (each side must then hold each config once). Defaults to `false`. */
    acrossMachines?: boolean;
    /** Defaults to `"id"`. */
    matchBy?: MatchBy;
    /** Confidence level of the intervals and the test. Defaults to `0.95`. */
    level?: number;
    /**
     * Pool every run of a side that measured a config (their repetitions together; per-config figures, one per run)
     * instead of taking the newest run's. Run-to-run noise then enters the interval. Defaults to `false`.
     */
    pool?: boolean;
}

export interface MetricRow {
    machine: string;
    config: string;
    /** The candidate config's label (and the baseline's when they differ, as `base → candidate`). */
    label: string;
    /**
     * Prompt or test id; `(config)` for the figures measured once per config (load, peak RSS…); `(quality)` for the
     * quality pass's figures (compareQuality.ts), whose `median` is the figure and `n` the scored positions.
     */
    item: string;
    metric: string;
    better: Direction;
    baseline: { n: number; median: number };
    candidate: { n: number; median: number };
    /** Candidate / baseline: the ratio of geometric means of the repetitions (of the values, for one value a side). */
    ratio: number;
    /** The interval's ends; null with one value a side. */
    low: number | null;
    high: number | null;
    p: number | null;
    verdict: Verdict;
    /** Why a row is not judged. */
    note?: string;
}

export interface Unmatched {
    side: "baseline" | "candidate";
    machine: string;
    config: string;
    label: string;
    /** A prompt or test only one side measured; absent when the whole config is unmatched. */
    item?: string;
    why: string;
}

export interface Comparison {
    baseline: { spec: string; description: string; runs: string[] };
    candidate: { spec: string; description: string; runs: string[] };
    threshold: number;
    level: number;
    matchBy: MatchBy;
    acrossMachines: boolean;
    pool: boolean;
    rows: MetricRow[];
    unmatched: Unmatched[];
    /** Pairs of machines compared whose fingerprints differ, with the differences. */
    machines: { baseline: string; candidate: string; differences: string[] }[];
    /** Paired configs whose settings or model differ (matching by label or order). */
    pairedDifferences: { label: string; differences: string[] }[];
    counts: Record<Verdict, number>;
    /** Each parallel test both sides of a pair ran: its knee on either side (from the levels' pooled repetitions). */
    knees: KneePair[];
}

export interface KneePair {
    machine: string;
    config: string;
    label: string;
    test: string;
    baseline: Knee;
    candidate: Knee;
}

/** Metrics recorded once per config, compared as the item `(config)`. */
const configMetrics = ["loadMs", "startMs", "warmupMs", "peakRssBytes", "vramBytes"] as const;
export const configItem = "(config)";

export function compareSides(baseline: Side, candidate: Side, opts: CompareOptions = {}): Comparison {
    const threshold = opts.threshold ?? 5;
    const level = opts.level ?? 0.95;
    const matchBy = opts.matchBy ?? "id";
    const wanted = opts.metrics == null ? null : new Set(opts.metrics);
    const pool = opts.pool ?? false;
    const base = sideConfigs(baseline, pool);
    const cand = sideConfigs(candidate, pool);
    // one machine a side: pair across them (with a warning); several: within each machine unless told otherwise
    const machinesOf = (entries: Entry[]) => new Set(entries.map((e) => e.machine));
    const across = opts.acrossMachines === true || (machinesOf(base).size <= 1 && machinesOf(cand).size <= 1);
    const machineOf = (entry: Entry) => (across ? "" : entry.machine);
    const keyOf = (entry: Entry, index: number) =>
        `${machineOf(entry)}\n${matchBy === "id" ? entry.config.id : matchBy === "label" ? entry.config.label : String(index)}`;
    const keyed = (entries: Entry[]) => {
        const map = new Map<string, Entry>();
        const position = new Map<string, number>();
        for (const entry of entries) {
            const m = machineOf(entry);
            const index = position.get(m) ?? 0;
            position.set(m, index + 1);
            const key = keyOf(entry, index);
            if (map.has(key)) throw new InputError(`two configs match as \`${entry.config.label}\`${across ? " across machines" : ""}: match by id, or compare one machine at a time`);
            map.set(key, entry);
        }
        return map;
    };
    const baseKeyed = keyed(base);
    const candKeyed = keyed(cand);

    const rows: MetricRow[] = [];
    const unmatched: Unmatched[] = [];
    const machinePairs = new Map<string, Comparison["machines"][number]>();
    const pairedDifferences: Comparison["pairedDifferences"] = [];
    const knees: KneePair[] = [];
    const entryUnmatched = (side: Unmatched["side"], e: Entry, why: string, item?: string): Unmatched =>
        ({ side, machine: e.machine, config: e.config.id, label: e.config.label, ...(item != null ? { item } : {}), why });

    for (const [key, b] of baseKeyed) if (!candKeyed.has(key)) unmatched.push(entryUnmatched("baseline", b, "not in the candidate"));
    // by machine and label: the same order however the runs of a side were split (shards) or ordered
    const candidates = [...candKeyed].sort(([, x], [, y]) => compareText(x.machine, y.machine) || compareText(x.config.label, y.config.label) || compareText(x.config.id, y.config.id));
    for (const [key, c] of candidates) {
        const b = baseKeyed.get(key);
        if (b == null) {
            unmatched.push(entryUnmatched("candidate", c, "not in the baseline"));
            continue;
        }
        if (b.config.status !== "ok" || c.config.status !== "ok") {
            const side = b.config.status !== "ok" ? "baseline" : "candidate";
            unmatched.push(entryUnmatched(side, side === "baseline" ? b : c, `${side === "baseline" ? b.config.status : c.config.status} in the ${side}`));
            continue;
        }
        const differences = fingerprintDifferences(b.run.run.machine, c.run.run.machine);
        if (differences.length > 0) machinePairs.set(`${b.machine}\n${c.machine}`, { baseline: b.machine, candidate: c.machine, differences });
        const label = b.config.label === c.config.label ? c.config.label : `${b.config.label} → ${c.config.label}`;
        if (b.config.id !== c.config.id) pairedDifferences.push({ label, differences: configDifferences(b.config, c.config) });
        const machine = across && b.machine !== c.machine ? `${b.machine} → ${c.machine}` : c.machine;
        const row = (item: string, metric: string, a: number[], z: number[]) => {
            const def = metricDef(metric);
            if (def == null || def.better === "none" || (wanted != null && !wanted.has(metric))) return;
            rows.push(judge({ machine, config: c.config.id, label, item, metric, better: def.better }, a, z, threshold, level));
        };

        const baseSamples = samplesByPrompt(b.pooled.flatMap((config) => config.measurements));
        const candSamples = samplesByPrompt(c.pooled.flatMap((config) => config.measurements));
        for (const item of baseSamples.keys()) if (!candSamples.has(item)) unmatched.push(entryUnmatched("baseline", b, "not measured in the candidate", item));
        for (const [item, metrics] of candSamples) {
            const before = baseSamples.get(item);
            if (before == null) {
                unmatched.push(entryUnmatched("candidate", c, "not measured in the baseline", item));
                continue;
            }
            for (const metric of catalogueOrder([...metrics.keys()])) {
                const a = before.get(metric);
                if (a != null) row(item, metric, a, metrics.get(metric)!);
            }
        }
        for (const metric of configMetrics) {
            const values = (entry: Entry) => entry.pooled.map((config) => config[metric]).filter((v): v is number => v != null);
            const [a, z] = [values(b), values(c)];
            if (a.length > 0 && z.length > 0) row(configItem, metric, a, z);
        }
        for (const test of parallelOf(c)) {
            const before = parallelOf(b).find((t) => t.id === test.id);
            if (before == null) continue;
            const knee = (entry: Entry, spec: typeof test): Knee => {
                const { knee, stillRising, overBudget } = parallelOutcome(spec, summarizeMeasurements(entry.pooled.flatMap((config) => config.measurements)));
                return { knee, stillRising, overBudget };
            };
            // the candidate's knee settings judge both sides, so a changed `rise` or budget does not read as a change
            knees.push({ machine, config: c.config.id, label, test: test.id, baseline: knee(b, test), candidate: knee(c, test) });
        }
        if (wanted == null || qualityMetrics.some((m) => wanted.has(m))) {
            const [bq, cq] = [qualityOf(b), qualityOf(c)];
            if (bq != null && cq != null) {
                const quality = compareQuality({ machine, config: c.config.id, label }, bq, cq, { threshold, level, wanted });
                rows.push(...quality.rows);
                for (const o of quality.oneSided) unmatched.push(entryUnmatched(o.side, o.side === "baseline" ? b : c, o.why, qualityItem));
            } else if (bq != null || cq != null) {
                const side = bq != null ? "baseline" : "candidate";
                unmatched.push(entryUnmatched(side, side === "baseline" ? b : c, `quality pass in the ${side} only`, qualityItem));
            }
        }
    }

    const counts: Record<Verdict, number> = { regression: 0, improvement: 0, unchanged: 0, "not judged": 0 };
    for (const r of rows) counts[r.verdict]++;
    const sideInfo = (side: Side) => ({ spec: side.spec, description: side.description, runs: side.runs.map((r) => r.run.id) });
    return {
        baseline: sideInfo(baseline), candidate: sideInfo(candidate), threshold, level, matchBy, acrossMachines: across,
        pool, rows, unmatched, machines: [...machinePairs.values()], pairedDifferences, counts, knees
    };
}

/** The entry's parallel tests as its newest run asked them. */
function parallelOf(entry: Entry) {
    return [...entry.pooled].reverse().find((config) => (config.parallel?.length ?? 0) > 0)?.parallel ?? [];
}

/**
 * The entry's quality pass: the newest run's that has one. Pooled or not, one pass: the engine is deterministic, so
 * another run of the same config scores the same text the same way and adds nothing to pool.
 */
function qualityOf(entry: Entry): RunFileQuality | null {
    return [...entry.pooled].reverse().find((config) => config.quality != null)?.quality ?? null;
}

/** One row's figures and verdict. */
function judge(
    at: Pick<MetricRow, "machine" | "config" | "label" | "item" | "metric" | "better">,
    a: number[], z: number[], threshold: number, level: number
): MetricRow {
    const summary = (values: number[]) => ({ n: values.length, median: computeStatistics(values).median });
    const base = { ...at, baseline: summary(a), candidate: summary(z) };
    const test = logRatio(a, z, level);
    if (test != null) {
        const verdict = at.better === "none" ? "not judged" : verdictOf(test.low, test.high, at.better, threshold);
        return { ...base, ratio: test.ratio, low: test.low, high: test.high, p: test.p, verdict };
    }
    const ratio = base.baseline.median > 0 ? base.candidate.median / base.baseline.median : Number.NaN;
    const note = !(ratio > 0) ? "no positive values to compare" : "one value a side: no interval (pool several runs a side with --pool, or raise repetitions)";
    return { ...base, ratio, low: null, high: null, p: null, verdict: "not judged", note };
}

function catalogueOrder(metrics: string[]): string[] {
    const order = [...metricCatalogue.keys()];
    const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
    return [...metrics].sort((x, y) => rank(x) - rank(y) || compareText(x, y));
}

function compareText(x: string, y: string): number {
    return x < y ? -1 : x > y ? 1 : 0;
}
