/**
 * Two sides → one row per matched (machine, config, prompt/test, metric), in suite order. Which runs face each
 * other is chooseRuns.ts's (per suite and machine, the newest baseline run and the newest candidate run not in the
 * baseline); their configs pair by id, then by label, then by position (matchConfigs), and what differs between a
 * pair is listed.
 *
 * One estimator everywhere: the geometric mean of the repetitions. The value columns show it, the change is the
 * ratio of the two, and its interval comes from one of the noise models, named on every row:
 * - `repetitions`: Welch's t on the logs of the repetitions (stats/logRatio.ts);
 * - `history`: the spread of the same figure's means over earlier runs of the config on the same machine (the
 *   baseline's config, or the candidate's when it has more), stats/runToRun.ts, used when there are enough of them
 *   and it is wider than the repetitions' interval;
 * - `machine history`: the run-to-run spread of the same metric pooled over every config and prompt/test earlier runs
 *   measured on the machine (each against its own mean), used the same way: the first runs after a setting change
 *   (new ids) are judged by the machine's drift, not their repetitions alone, and a config whose own few runs
 *   happened to agree is not judged by them alone;
 * whichever of these gives the widest interval judges the row (history widens an interval, never narrows one);
 * - `paired positions`: quality passes, position by position (compareQuality.ts).
 * The verdict (verdict.ts): regression or improvement when the whole interval lies beyond ±threshold, unchanged
 * when it lies inside, inconclusive otherwise; rows with no interval are shown, not judged.
 */
import { metricCatalogue, metricDef } from "../metrics/catalogue.ts";
import { logRatio } from "../stats/logRatio.ts";
import { logMean, pooledRunToRunInterval, runToRunInterval } from "../stats/runToRun.ts";
import { parallelOutcome, type Knee } from "../stats/knee.ts";
import { samplesByPrompt, summarizeMeasurements } from "../stats/summarize.ts";
import { machineKey } from "../store/machineKey.ts";
import type { RunFile, RunFileQuality } from "../store/runFile.ts";
import { chooseRuns } from "./chooseRuns.ts";
import { busyReason } from "../stats/machineBusy.ts";
import { compareQuality, qualityItem, qualityMetrics } from "./compareQuality.ts";
import { fingerprintDifferences } from "./machine.ts";
import { matchConfigs, type MatchBy } from "./matchConfigs.ts";
import type { Side } from "./resolveSide.ts";
import { configDifferences, sideConfigs, type Entry } from "./sideConfigs.ts";
import { engineDifferences } from "../engine/engineInfo.ts";
import { verdictOf, type Verdict } from "./verdict.ts";
import type { MetricRow, Unmatched } from "./compareRows.ts";

export type { Verdict } from "./verdict.ts";
export type { MatchBy } from "./matchConfigs.ts";

export interface CompareOptions {
    /** Percent a change must exceed, with `level` confidence, to be a regression or an improvement. Defaults to `5`. */
    threshold?: number;
    /** Only these metrics. Defaults to every metric with a direction. */
    metrics?: readonly string[];
    /** Pair runs and configs of different machines too. Defaults to `false`. */
    acrossMachines?: boolean;
    /** The first way configs are paired; the later ones of id → label → order pair what is left. Defaults to `"id"`. */
    matchBy?: MatchBy;
    /** Confidence level of the intervals and the test. Defaults to `0.95`. */
    level?: number;
    /** Pool every run of a side (their repetitions together) instead of taking the newest. Defaults to `false`. */
    pool?: boolean;
    /** Compare a run with itself when both sides hold it, instead of refusing. Defaults to `false`. */
    sameRun?: boolean;
    /**
     * Earlier runs to read between-run noise from, besides the two sides' own runs (the results folder).
     * Defaults to none.
     */
    history?: readonly RunFile[];
    /** Use history at all. Defaults to `true`. */
    useHistory?: boolean;
}

export type { MetricRow, NoiseModel, Unmatched } from "./compareRows.ts";

export interface Comparison {
    /** What was asked, and the runs compared (chosen from the side's runs). */
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
    /**
     * Paired configs of different ids, or of one id that ran on different llama.cpp binaries: how they were paired
     * and what differs (`context: 1024 → 4096`, `llama.cpp: v0.5.0 → b7000`).
     */
    pairedDifferences: { label: string; by: MatchBy; differences: string[] }[];
    /** Configs measured while the machine was busy (stats/machineBusy.ts' `busyReason`), per side. */
    busy: { side: "baseline" | "candidate"; label: string; config: string; reason: string }[];
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
    const chosen = chooseRuns(baseline, candidate, { sameRun: opts.sameRun ?? false, pool, acrossMachines: opts.acrossMachines ?? false });
    const history = opts.useHistory === false ? null : historyIndex([...baseline.runs, ...candidate.runs, ...(opts.history ?? [])]);

    const rows: MetricRow[] = [];
    const unmatched: Unmatched[] = [];
    const machinePairs = new Map<string, Comparison["machines"][number]>();
    const pairedDifferences: Comparison["pairedDifferences"] = [];
    const busy: Comparison["busy"] = [];
    const knees: KneePair[] = [];
    const entryUnmatched = (side: Unmatched["side"], e: Entry, why: string, item?: string): Unmatched =>
        ({ side, machine: e.machine, config: e.config.id, label: e.config.label, ...(item != null ? { item } : {}), why });
    for (const one of chosen.oneSided)
        for (const e of sideConfigs(one.runs, pool)) unmatched.push(entryUnmatched(one.side, e, `no run of this suite on this machine in the ${one.side === "baseline" ? "candidate" : "baseline"}`));

    for (const pair of chosen.pairs) {
        const matched = matchConfigs(sideConfigs(pair.baseline, pool), sideConfigs(pair.candidate, pool), matchBy);
        for (const b of matched.baselineOnly) unmatched.push(entryUnmatched("baseline", b, "not in the candidate"));
        const compared = new Set([...pair.baseline, ...pair.candidate].map((r) => r.run.id));
        const candidateStart = pair.candidate.reduce((t, r) => (r.run.startedAt > t ? r.run.startedAt : t), "");
        for (const { baseline: b, candidate: c, by } of matched.pairs) {
            if (b.config.status !== "ok" || c.config.status !== "ok") {
                const side = b.config.status !== "ok" ? "baseline" : "candidate";
                unmatched.push(entryUnmatched(side, side === "baseline" ? b : c, `${side === "baseline" ? b.config.status : c.config.status} in the ${side}`));
                continue;
            }
            const differences = fingerprintDifferences(b.run.run.machine, c.run.run.machine);
            if (differences.length > 0) machinePairs.set(`${b.machine}\n${c.machine}`, { baseline: b.machine, candidate: c.machine, differences });
            const label = b.config.label === c.config.label ? c.config.label : `${b.config.label} → ${c.config.label}`;
            // engine: local has its own config id, so it pairs with a prebuilt config only by label or position, its
            // differences listed; the same id can still have run on another llama.cpp binary (an upgrade, a local build
            // of other flags), which is said too
            const engines = engineDifferences(b.config.engine, c.config.engine);
            if (b.config.id !== c.config.id || engines.length > 0)
                pairedDifferences.push({ label, by, differences: [...b.config.id !== c.config.id ? configDifferences(b.config, c.config) : [], ...engines] });
            const machine = b.machine !== c.machine ? `${b.machine} → ${c.machine}` : c.machine;
            const busyNow = ([["baseline", b], ["candidate", c]] as const).flatMap(([side, e]) => e.pooled.map((config) => busyReason(config.machineLoad))
                .filter((reason): reason is string => reason != null).map((reason) => ({ side, label: e.config.label, config: e.config.id, reason })));
            busy.push(...busyNow);
            // history: earlier runs of the pair's config on its machine, not the two compared, older than the candidate;
            // of the baseline's config or the candidate's (a changed setting gives the candidate a new id: no history
            // yet), whichever has more: the spread of one config, never two configs' runs mixed
            const usable = (points: readonly HistoryPoint[]) => points.filter((h) => !compared.has(h.run) && h.startedAt < candidateStart).map((h) => h.logMean);
            const earlier = (item: string, metric: string) => {
                if (history == null) return null;
                const of = (e: Entry) => usable(history.figures.get(historyKey(e.machine, e.config.id, item, metric)) ?? []);
                const [fromBase, fromCand] = [of(b), b.config.id === c.config.id && b.machine === c.machine ? [] : of(c)];
                return fromCand.length > fromBase.length ? fromCand : fromBase;
            };
            // the machine's drift: every earlier figure of this metric on the candidate's machine, each its own series
            const machineEarlier = (metric: string) => {
                if (history == null) return null;
                return [...(history.machine.get(machineHistoryKey(c.machine, metric))?.values() ?? [])].map(usable);
            };
            const row = (item: string, metric: string, a: number[], z: number[]) => {
                const def = metricDef(metric);
                if (def == null || def.better === "none" || (wanted != null && !wanted.has(metric))) return;
                const at = { machine, config: c.config.id, label, item, metric, better: def.better };
                const judged = judge(at, a, z, { runsA: b.pooled.length, runsB: c.pooled.length, history: earlier(item, metric), machineHistory: machineEarlier(metric), threshold, level });
                rows.push(busyNow.length > 0 ? { ...judged, busy: true } : judged);
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
            // a parallel test's levels are rows above (items `np<N>:…`, judged like any test); its knee is listed beside
            for (const test of parallelOf(c)) {
                if (!parallelOf(b).some((t) => t.id === test.id)) continue;
                const knee = (entry: Entry): Knee => {
                    const { knee, stillRising, overBudget } = parallelOutcome(test, summarizeMeasurements(entry.pooled.flatMap((config) => config.measurements)));
                    return { knee, stillRising, overBudget };
                };
                // the candidate's knee settings judge both sides, so a changed `rise` or budget does not read as a change
                knees.push({ machine, config: c.config.id, label, test: test.id, baseline: knee(b), candidate: knee(c) });
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
        for (const c of matched.candidateOnly) unmatched.push(entryUnmatched("candidate", c, "not in the baseline"));
    }

    const counts: Record<Verdict, number> = { regression: 0, improvement: 0, unchanged: 0, inconclusive: 0, "not judged": 0 };
    for (const r of rows) counts[r.verdict]++;
    const sideInfo = (side: Side, runs: RunFile[]) => ({ spec: side.spec, description: side.description, runs: runs.map((r) => r.run.id) });
    return {
        baseline: sideInfo(baseline, chosen.pairs.flatMap((p) => p.baseline)),
        candidate: sideInfo(candidate, chosen.pairs.flatMap((p) => p.candidate)),
        threshold, level, matchBy, acrossMachines: opts.acrossMachines ?? false,
        pool, rows, unmatched, machines: [...machinePairs.values()], pairedDifferences, busy, counts, knees
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

interface JudgeInput {
    /** Runs pooled on each side (1 unless --pool). */
    runsA: number;
    runsB: number;
    /** Earlier runs' log means of this figure; null when history is off. */
    history: number[] | null;
    /** Earlier runs' log means of every figure of this metric on the machine, one array per figure; null when off. */
    machineHistory: number[][] | null;
    threshold: number;
    level: number;
}

/** One row's figures, interval, noise model and verdict. */
function judge(
    at: Pick<MetricRow, "machine" | "config" | "label" | "item" | "metric" | "better">, a: number[], z: number[], input: JudgeInput
): MetricRow {
    const [la, lz] = [logMean(a), logMean(z)];
    if (la == null || lz == null || at.better === "none") {
        const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
        const value = { baseline: { n: a.length, value: mean(a) }, candidate: { n: z.length, value: mean(z) } };
        return { ...at, ...value, ratio: Number.NaN, low: null, high: null, p: null, verdict: "not judged", noise: "none", note: "no positive values to compare" };
    }
    const base = { ...at, baseline: { n: a.length, value: Math.exp(la) }, candidate: { n: z.length, value: Math.exp(lz) }, ratio: Math.exp(lz - la) };
    const welch = logRatio(a, z, input.level);
    // the config's own history (5 runs or more) and the machine's, pooled over its figures of this metric: the wider
    const own = input.history == null ? null : runToRunInterval(lz - la, input.history, input.runsA, input.runsB, input.level);
    const pooledAll = input.machineHistory == null ? null : pooledRunToRunInterval(lz - la, input.machineHistory, input.runsA, input.runsB, input.level);
    const width = (i: { low: number; high: number }) => Math.log(i.high / i.low);
    const pooled = pooledAll != null && (own == null || width(pooledAll) > width(own)) ? pooledAll : null;
    const history = pooled ?? own;
    if (history != null && (welch == null || width(history) > width(welch))) {
        const verdict = verdictOf(history.low, history.high, at.better, input.threshold);
        const judgedBy = pooled == null
            ? { noise: "history" as const, historyRuns: history.runs }
            : { noise: "machine history" as const, historyRuns: history.runs, historyFigures: history.figures ?? 0 };
        return { ...base, low: history.low, high: history.high, p: history.p, verdict, ...judgedBy };
    }
    if (welch != null)
        return { ...base, low: welch.low, high: welch.high, p: welch.p, verdict: verdictOf(welch.low, welch.high, at.better, input.threshold), noise: "repetitions" };
    const have = input.history?.length ?? 0;
    const note = `one value a side and ${have} earlier run(s) of it on this machine: no interval (it gets one from 5 earlier runs of it, from 2–3 earlier runs of the suite on this machine, or pool several runs a side with --pool)`;
    return { ...base, low: null, high: null, p: null, verdict: "not judged", noise: "none", note };
}

interface HistoryPoint {
    run: string;
    startedAt: string;
    logMean: number;
}

function historyKey(machine: string, config: string, item: string, metric: string): string {
    return `${machine}\n${config}\n${item}\n${metric}`;
}

function machineHistoryKey(machine: string, metric: string): string {
    return `${machine}\n${metric}`;
}

interface HistoryIndex {
    /** By machine, config, item and metric (historyKey). */
    figures: Map<string, HistoryPoint[]>;
    /** By machine and metric (machineHistoryKey): each figure's series, keyed by config and item. */
    machine: Map<string, Map<string, HistoryPoint[]>>;
}

/** Every ok config's per-run log mean of every figure, each run once, by figure and by machine and metric. */
function historyIndex(runs: readonly RunFile[]): HistoryIndex {
    const index: HistoryIndex = { figures: new Map(), machine: new Map() };
    const seen = new Set<string>();
    const add = (machine: string, config: string, item: string, metric: string, point: HistoryPoint) => {
        const key = historyKey(machine, config, item, metric);
        index.figures.set(key, [...(index.figures.get(key) ?? []), point]);
        const figure = `${config}\n${item}`;
        const series = index.machine.get(machineHistoryKey(machine, metric)) ?? new Map<string, HistoryPoint[]>();
        series.set(figure, [...(series.get(figure) ?? []), point]);
        index.machine.set(machineHistoryKey(machine, metric), series);
    };
    for (const run of runs) {
        if (seen.has(run.run.id)) continue;
        seen.add(run.run.id);
        const machine = machineKey(run.run.machine);
        const at = { run: run.run.id, startedAt: run.run.startedAt };
        for (const config of run.configs) {
            if (config.status !== "ok") continue;
            for (const [item, metrics] of samplesByPrompt(config.measurements))
                for (const [metric, values] of metrics) {
                    const m = logMean(values);
                    if (m != null) add(machine, config.id, item, metric, { ...at, logMean: m });
                }
            for (const metric of configMetrics) {
                const value = config[metric];
                const m = value == null ? null : logMean([value]);
                if (m != null) add(machine, config.id, configItem, metric, { ...at, logMean: m });
            }
        }
    }
    return index;
}

function catalogueOrder(metrics: string[]): string[] {
    const order = [...metricCatalogue.keys()];
    const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
    return [...metrics].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
}
