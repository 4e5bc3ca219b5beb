/** compare: matching, statistics and verdicts on hand-made runs; shards; the three formats; `latest`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareSides, type Comparison } from "../../runner/compare/compareSides.ts";
import { busyLines, compareSerializers, comparisonWarnings, differenceLines, inconclusiveHint } from "../../runner/compare/compareSerializers.ts";
import { resolveSide, type Side } from "../../runner/compare/resolveSide.ts";
import type { ConfigRecord, Measurement, RunRecord } from "../../runner/results.ts";
import { toRunFile, type RunFile } from "../../runner/store/runFile.ts";
import { Store } from "../../runner/store/store.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";

/** A config whose `explain` prompt measured these decode speeds and TTFTs, and `tg64` these tg speeds. */
function config(id: string, decodeTps: number[], ttftMs: number[], peakRssBytes = 300e6, extra: Partial<ConfigRecord> = {}): ConfigRecord {
    const measurements: Measurement[] = [
        ...decodeTps.map((tps, rep): Measurement => ({ kind: "prompt", prompt: "explain", rep, metrics: { decodeTps: tps, ttftMs: ttftMs[rep]!, genTokens: 64 } })),
        ...decodeTps.map((tps, rep): Measurement => ({ kind: "tg", prompt: "tg64", rep, metrics: { decodeTps: tps * 2 } }))
    ];
    return { ...makeConfig(id), label: `model ${id}`, measurements, peakRssBytes, ...extra };
}

function run(id: string, startedAt: string, configs: ConfigRecord[], overrides: Partial<RunRecord> = {}): RunFile {
    return toRunFile({ ...makeRun(), id, startedAt, ...overrides }, configs);
}

const side = (spec: string, ...runs: RunFile[]): Side => ({ spec, description: spec, runs });
const verdicts = (c: Comparison) => c.rows.filter((r) => r.verdict === "regression" || r.verdict === "improvement")
    .map((r) => `${r.config} ${r.item} ${r.metric} ${r.verdict}`);

const steady = [100, 101, 99];
const steadyTtft = [50, 50.5, 49.5];

describe("compareSides", () => {
    it("flags a real slowdown on the metrics it touches, in the right direction, and nothing else", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft), config("b", steady, steadyTtft)]);
        // a: decode 20 % slower (lower tok/s: a regression); TTFT 20 % lower (lower ms: an improvement); b unchanged
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", [80, 81, 79], [40, 40.4, 39.6]), config("b", [100.5, 99.5, 100], [50.2, 49.8, 50])]);
        const c = compareSides(side("base", base), side("cand", cand));
        expect(verdicts(c)).toEqual([
            "a explain ttftMs improvement", "a explain decodeTps regression", "a tg64 decodeTps regression"
        ]);
        const decode = c.rows.find((r) => r.config === "a" && r.item === "explain" && r.metric === "decodeTps")!;
        expect(decode).toMatchObject({ better: "higher", baseline: { n: 3 }, candidate: { n: 3 }, noise: "repetitions" });
        // the values are geometric means, and the change is their ratio: the columns and the change agree
        expect(decode.baseline.value).toBeCloseTo(Math.cbrt(100 * 101 * 99), 9);
        expect(decode.candidate.value).toBeCloseTo(Math.cbrt(80 * 81 * 79), 9);
        expect(decode.ratio).toBeCloseTo(decode.candidate.value / decode.baseline.value, 12);
        expect(decode.low!).toBeLessThan(0.8);
        expect(decode.high!).toBeGreaterThan(0.8);
        expect(decode.high!).toBeLessThan(1);
        expect(decode.p!).toBeLessThan(0.001);
        // genTokens has no direction: not compared
        expect(c.rows.some((r) => r.metric === "genTokens")).toBe(false);
        expect(c.counts.regression).toBe(2);
    });

    it("flags only when the whole interval lies beyond the threshold: not a small significant change, nor a large unsure one", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft), config("b", steady, steadyTtft), config("c", steady, steadyTtft)]);
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [
            config("a", [97.5, 98, 97], steadyTtft), // −2.5 %, tight: significant, but within 5 %
            config("b", [60, 140, 85], steadyTtft), //  −5.6 % by geometric means, but all over the place
            config("c", [92, 95, 89], steadyTtft) //    −8 %: significant and beyond 5 %, yet the interval reaches inside ±5 %
        ]);
        const c = compareSides(side("base", base), side("cand", cand), { metrics: ["decodeTps"] });
        const row = (id: string) => c.rows.find((r) => r.config === id && r.item === "explain")!;
        expect(row("a").p!).toBeLessThan(0.05);
        expect(row("b").p!).toBeGreaterThan(0.05);
        expect(row("c").p!).toBeLessThan(0.05);
        expect(row("c").ratio).toBeLessThan(0.95);
        expect(row("c").high!).toBeGreaterThan(1 / 1.05);
        // a: the whole interval inside ±5 %: unchanged; b and c: it reaches past −5 %: inconclusive, never unchanged
        expect(c.rows.map((r) => `${r.config} ${r.verdict}`)).toEqual(["a unchanged", "a unchanged", "b inconclusive", "b inconclusive", "c inconclusive", "c inconclusive"]);
        expect(c.counts).toMatchObject({ unchanged: 2, inconclusive: 4, regression: 0, improvement: 0 });
        // at a lower threshold the tight changes count: their intervals (a: [−4.5 %, −0.5 %], c: [−14.5 %, −1.0 %]) clear it
        expect(verdicts(compareSides(side("base", base), side("cand", cand), { threshold: 0.4, metrics: ["decodeTps"] })))
            .toEqual(["a explain decodeTps regression", "a tg64 decodeTps regression", "c explain decodeTps regression", "c tg64 decodeTps regression"]);
    });

    it("shows figures measured once per config without a verdict, and judges them when runs are pooled", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft, 300e6)]);
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", steady, steadyTtft, 345e6, { loadMs: 900 })]);
        const c = compareSides(side("base", base), side("cand", cand));
        const rss = c.rows.find((r) => r.metric === "peakRssBytes")!;
        expect(rss).toMatchObject({ item: "(config)", low: null, p: null, verdict: "not judged", noise: "none" });
        expect(rss.ratio).toBeCloseTo(1.15, 12);
        expect(rss.note).toMatch(/one value a side and 0 earlier run\(s\) .*--pool/);
        // three runs a side, pooled: peak RSS has three values a side, and a 15 % rise stands out of a 1 % spread
        const runs = (prefix: string, day: string, rss: number[]) =>
            rss.map((bytes, i) => run(`${prefix}${i}`, `2026-01-0${day}T00:00:0${i}.000Z`, [config("a", steady, steadyTtft, bytes)]));
        const pooled = compareSides(side("base", ...runs("b", "1", [300e6, 303e6, 297e6])), side("cand", ...runs("c", "2", [345e6, 342e6, 348e6])), { pool: true });
        expect(pooled.rows.find((r) => r.metric === "peakRssBytes")).toMatchObject({ baseline: { n: 3 }, candidate: { n: 3 }, verdict: "regression" });
        expect(pooled.rows.find((r) => r.item === "explain" && r.metric === "decodeTps")).toMatchObject({ baseline: { n: 9 }, candidate: { n: 9 }, verdict: "unchanged" });
    });

    it("lists configs and prompts only one side has, and configs that did not run ok", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft), config("gone", steady, steadyTtft), config("bad", steady, steadyTtft)]);
        const fewer = config("a", steady, steadyTtft);
        fewer.measurements = fewer.measurements.filter((m) => m.prompt !== "tg64");
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [fewer, config("new", steady, steadyTtft), config("newer", steady, steadyTtft),
            { ...config("bad", [], []), status: "crashed", error: "killed by SIGKILL" }]);
        const c = compareSides(side("base", base), side("cand", cand));
        // `gone` (1 left) and `new`, `newer` (2 left): no label in common and not as many left: nothing pairs by position
        expect(c.unmatched.map((u) => `${u.side} ${u.config}${u.item != null ? ` ${u.item}` : ""}: ${u.why}`)).toEqual([
            "baseline gone: not in the candidate",
            "baseline a tg64: not measured in the candidate",
            "candidate bad: crashed in the candidate",
            "candidate new: not in the baseline",
            "candidate newer: not in the baseline"
        ]);
    });

    it("takes each config from the newest run of a side, so merged shards compare like one run", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft), config("b", steady, steadyTtft), config("c", steady, steadyTtft)]);
        const whole = [config("a", [80, 81, 79], steadyTtft), config("b", steady, steadyTtft), config("c", [120, 121, 119], steadyTtft)];
        const one = run("r2", "2026-01-02T00:00:00.000Z", whole);
        const shards = [
            run("r2-s1", "2026-01-02T00:00:00.000Z", [whole[0]!, whole[2]!], { shard: { index: 1, count: 2 } }),
            run("r2-s2", "2026-01-02T00:00:01.000Z", [whole[1]!], { shard: { index: 2, count: 2 } })
        ];
        const asOne = compareSides(side("base", base), side("cand", one));
        const asShards = compareSides(side("base", base), side("cand", ...shards));
        // the same rows; in the order of the runs' configs (a shard holds a and c, the other b)
        const key = (c: Comparison) => c.rows.map((r) => ({ ...r })).sort((x, y) => (`${x.config} ${x.item} ${x.metric}` < `${y.config} ${y.item} ${y.metric}` ? -1 : 1));
        expect(key(asShards)).toEqual(key(asOne));
        expect(asShards.unmatched).toEqual([]);
        // an older run of a config is superseded by a newer one on the same side
        const stale = run("r0", "2025-12-31T00:00:00.000Z", [config("a", [10, 10, 10], steadyTtft)]);
        expect(key(compareSides(side("base", base), side("cand", stale, ...shards), { useHistory: false }))).toEqual(key(asOne));
    });

    it("matches within a machine when a side holds several, and warns on fingerprint differences", () => {
        const machine = makeRun().machine;
        const mac = { ...machine, cpu: "Apple M3", arch: "arm64", backend: "metal", gpus: ["Apple M3"] };
        const base = [run("x1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft)]),
            run("m1", "2026-01-01T00:00:00.000Z", [config("a", [300, 301, 299], steadyTtft)], { machine: mac })];
        const cand = [run("x2", "2026-01-02T00:00:00.000Z", [config("a", steady, steadyTtft)], { machine: { ...machine, nodeLlamaCpp: "3.23.0" } }),
            run("m2", "2026-01-02T00:00:00.000Z", [config("a", [300, 299, 301], steadyTtft)], { machine: mac })];
        const c = compareSides(side("base", ...base), side("cand", ...cand));
        expect(verdicts(c)).toEqual([]); // x64 paired with x64 (100 vs 100), the Mac with the Mac (300 vs 300)
        expect(new Set(c.rows.map((r) => r.machine)).size).toBe(2);
        expect(comparisonWarnings(c)).toEqual([expect.stringMatching(/^machines differ \(x64 · Test CPU · 2 cores · cuda · NVIDIA H100\): nodeLlamaCpp: 3\.22\.1 → 3\.23\.0$/)]);
        // one machine a side: compared whatever they are, with the differences listed
        const across = compareSides(side("x", base[0]!), side("m", cand[1]!));
        expect(verdicts(across)).toContain("a explain decodeTps improvement");
        expect(comparisonWarnings(across)[0]).toMatch(/^machines differ .*arch: x64 → arm64; cpu: Test CPU → Apple M3/);
    });

    it("pairs configs of two suites by label or by order, and says what differs between them", () => {
        const small = { ...config("ctx1024", steady, steadyTtft, 200e6), label: "synthetic small Q4_0" };
        const large = { ...config("ctx8192", steady, steadyTtft, 230e6), label: "synthetic small Q4_0", params: { ...small.params, context: 8192 } };
        const base = run("r1", "2026-01-01T00:00:00.000Z", [small]);
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [large]);
        // no id in common: by default they pair by label (a setting in defaults keeps it); --match order starts with position
        for (const [matchBy, by] of [[undefined, "label"], ["label", "label"], ["order", "order"]] as const) {
            const c = compareSides(side("b", base), side("c", cand), matchBy == null ? {} : { matchBy });
            expect(verdicts(c)).toEqual([]);
            expect(c.rows.find((r) => r.metric === "peakRssBytes")).toMatchObject({ config: "ctx8192", verdict: "not judged" });
            expect(c.pairedDifferences).toEqual([{ label: "synthetic small Q4_0", by, differences: ["context: 2048 → 8192"] }]);
            expect(differenceLines(c)).toEqual([`context: 2048 → 8192 (synthetic small Q4_0, paired by ${by})`]);
            expect(compareSerializers.text(c)).toMatch(/^no change beyond 5 %.*\nbaseline: .*\ncandidate: .*\nwhat differs between the paired configs:\n {2}context: 2048 → 8192 \(synthetic small Q4_0, paired by /);
        }
        // labels differ too (a model swapped): paired by position, the model difference listed
        const other = { ...large, id: "q8", label: "synthetic small Q8_0", model: { ...large.model!, sha256: "ef".repeat(32), file: "q8.gguf" } };
        const swapped = compareSides(side("b", base), side("c", run("r3", "2026-01-03T00:00:00.000Z", [other])));
        expect(swapped.pairedDifferences).toEqual([{ label: "synthetic small Q4_0 → synthetic small Q8_0", by: "order", differences: ["model: q4_k_m.gguf → q8.gguf", "context: 2048 → 8192"] }]);
    });

    it("never pairs an engine: local config with a prebuilt one by id: it pairs by label or position, the engines' differences listed; the same id on another binary is said too", () => {
        const prebuiltEngine = { build: "prebuilt" as const, llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : SSE3 = 1 | AVX2 = 1 |", features: ["backend:CPU", "SSE3", "AVX2"] };
        const localEngine = { ...prebuiltEngine, build: "localBuild" as const, systemInfo: "CPU : SSE3 = 1 | AVX2 = 1 | OPENMP = 1 |", features: [...prebuiltEngine.features, "OPENMP"] };
        const prebuilt = { ...config("a", steady, steadyTtft), engine: prebuiltEngine };
        const other = { ...config("b", steady, steadyTtft), engine: prebuiltEngine };
        // engine: local is part of the config id, so by id it finds no pair; swept, its label differs too: by position
        const local = { ...config("a-local", [130, 131, 129], steadyTtft), label: "model a engine=local", params: { ...prebuilt.params, engine: "local" as const }, engine: localEngine };
        const swept = compareSides(side("b", run("r1", "2026-01-01T00:00:00.000Z", [prebuilt, other])), side("c", run("r2", "2026-01-02T00:00:00.000Z", [local, other])));
        expect(swept.pairedDifferences).toEqual([{ label: "model a → model a engine=local", by: "order", differences: ['engine: "prebuilt" → "local"', "engine: prebuilt → localBuild", "engine features: +OPENMP"] }]);
        expect(new Set(swept.rows.map((r) => r.config))).toEqual(new Set(["a-local", "b"]));
        // set in defaults, the label stays: paired by label, never by id
        const inDefaults = compareSides(side("b", run("r1", "2026-01-01T00:00:00.000Z", [prebuilt])), side("c", run("r2", "2026-01-02T00:00:00.000Z", [{ ...local, label: "model a" }])));
        expect(inDefaults.pairedDifferences.map((p) => p.by)).toEqual(["label"]);
        // same id, but the binary changed under it (another release and other compile-time flags)
        const upgraded = { ...prebuilt, engine: { ...prebuiltEngine, llamaCpp: { repo: "ggml-org/llama.cpp", release: "b7000" }, features: [...prebuiltEngine.features.filter((f) => f !== "AVX2"), "AVX512"] } };
        const c = compareSides(side("b", run("r1", "2026-01-01T00:00:00.000Z", [prebuilt])), side("c", run("r2", "2026-01-02T00:00:00.000Z", [upgraded])));
        expect(differenceLines(c)).toEqual(["llama.cpp: v0.5.0 → b7000; engine features: +AVX512 −AVX2 (model a, paired by id)"]);
        // the same binary under the same id: nothing to say
        expect(compareSides(side("b", run("r1", "2026-01-01T00:00:00.000Z", [prebuilt])), side("c", run("r2", "2026-01-02T00:00:00.000Z", [prebuilt]))).pairedDifferences).toEqual([]);
    });
});

describe("the history noise model", () => {
    // earlier runs of config a on this machine whose means drift ±8 % between runs, each run's repetitions tight
    const drift = [100, 92, 108, 95, 104, 99];
    const earlier = drift.map((m, i) => run(`h${i}`, `2025-12-0${i + 1}T00:00:00.000Z`, [config("a", [m, m + 0.5, m - 0.5], steadyTtft)]));
    const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft)]);

    it("a drift within what earlier runs showed is not a regression: the wider history interval judges it, and says so", () => {
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", [92, 92.5, 91.5], steadyTtft)]);
        const alone = compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"] });
        expect(alone.rows.map((r) => `${r.verdict} ${r.noise}`)).toEqual(["regression repetitions", "regression repetitions"]);
        const withHistory = compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: earlier });
        expect(withHistory.rows[0]).toMatchObject({ verdict: "inconclusive", noise: "history", historyRuns: 6 });
        expect(compareSerializers.text(withHistory)).toContain("history (6 runs)");
        // a large slowdown is still a regression under history
        const slow = run("r3", "2026-01-02T00:00:00.000Z", [config("a", [60, 60.5, 59.5], steadyTtft)]);
        expect(compareSides(side("b", base), side("c", slow), { metrics: ["decodeTps"], history: earlier }).rows[0]).toMatchObject({ verdict: "regression", noise: "history" });
        // only earlier runs count: the same history dated after the candidate is not used
        const later = drift.map((m, i) => run(`l${i}`, `2026-02-0${i + 1}T00:00:00.000Z`, [config("a", [m, m + 0.5, m - 0.5], steadyTtft)]));
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: later }).rows[0]).toMatchObject({ noise: "repetitions" });
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: earlier, useHistory: false }).rows[0]).toMatchObject({ noise: "repetitions" });
    });

    it("after a setting change (a new id, paired by label) the baseline config's history judges", () => {
        const changed = { ...config("a2", [92, 92.5, 91.5], steadyTtft), label: "model a" };
        const c = compareSides(side("b", base), side("c", run("r2", "2026-01-02T00:00:00.000Z", [changed])), { metrics: ["decodeTps"], history: earlier });
        expect(c.pairedDifferences.map((p) => p.by)).toEqual(["label"]);
        expect(c.rows[0]).toMatchObject({ config: "a2", verdict: "inconclusive", noise: "history", historyRuns: 6 });
    });

    it("with too little of a config's own history, the machine's drift pooled over its other configs judges, and says so", () => {
        // three earlier runs of two other configs (x, y) drifting ±8 % from run to run: a's new id has no history
        const others = [100, 92, 108].map((m, i) => run(`m${i}`, `2025-12-0${i + 1}T00:00:00.000Z`, [
            config("x", [m, m + 0.5, m - 0.5], steadyTtft), config("y", [m * 2, m * 2 + 1, m * 2 - 1], steadyTtft)]));
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", [92, 92.5, 91.5], steadyTtft)]);
        const c = compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: others });
        // decodeTps of x and y at explain and tg64: 4 figures of 3 runs, 8 degrees of freedom
        expect(c.rows[0]).toMatchObject({ verdict: "inconclusive", noise: "machine history", historyRuns: 3, historyFigures: 4 });
        expect(compareSerializers.text(c)).toContain("machine history (4 figures)");
        // a 40 % slowdown is still a regression under the machine's drift
        const slow = run("r3", "2026-01-02T00:00:00.000Z", [config("a", [60, 60.5, 59.5], steadyTtft)]);
        expect(compareSides(side("b", base), side("c", slow), { metrics: ["decodeTps"], history: others }).rows[0]).toMatchObject({ verdict: "regression", noise: "machine history" });
        // two earlier runs of one config (2 figures, 2 degrees of freedom) are enough; one earlier run gives no spread
        const two = others.slice(0, 2).map((r) => ({ ...r, configs: r.configs.slice(0, 1) }));
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: two }).rows[0]).toMatchObject({ noise: "machine history", historyFigures: 2 });
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: others.slice(0, 1) }).rows[0]).toMatchObject({ verdict: "regression", noise: "repetitions" });
        // with 5 runs of its own, the config's history and the machine's both give an interval: the wider judges
        const withOwn = compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: [...others, ...earlier] }).rows[0]!;
        expect(withOwn).toMatchObject({ noise: "history", historyRuns: 6 });
        // the machine's spread, wider than a's own (±2 %), judges instead
        const steadyOwn = [100, 101, 99, 100.5, 99.5, 100].map((m, i) => run(`s${i}`, `2025-11-0${i + 1}T00:00:00.000Z`, [config("a", [m, m + 0.5, m - 0.5], steadyTtft)]));
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: [...others, ...steadyOwn] }).rows[0]).toMatchObject({ noise: "machine history" });
        // another machine's runs never count
        const elsewhere = others.map((r) => ({ ...r, run: { ...r.run, machine: { ...r.run.machine, cpu: "another CPU" } } }));
        expect(compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"], history: elsewhere }).rows[0]).toMatchObject({ noise: "repetitions" });
    });

    it("gives figures measured once per config an interval", () => {
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", steady, steadyTtft, 400e6)]);
        const rss = compareSides(side("b", base), side("c", cand), { history: earlier }).rows.find((r) => r.metric === "peakRssBytes")!;
        // every earlier run had 300 MB: no spread, so +33 % is a regression
        expect(rss).toMatchObject({ verdict: "regression", noise: "history", historyRuns: 6, low: expect.any(Number) });
    });
});

describe("busy-machine flags", () => {
    const busyLoad = { loadAverage: 3.1, cores: 2, othersCpu: 0.6, steal: 0, throttleEvents: null };
    const quietLoad = { loadAverage: 1.1, cores: 2, othersCpu: 0.02, steal: 0, throttleEvents: null };
    it("a slowdown measured on a busy machine is still a regression (exit 1's count), flagged, with the note that the machine may be the cause", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [{ ...config("a", steady, steadyTtft), machineLoad: quietLoad }, { ...config("b", steady, steadyTtft), machineLoad: quietLoad }]);
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [{ ...config("a", [80, 81, 79], steadyTtft), machineLoad: busyLoad }, { ...config("b", steady, steadyTtft), machineLoad: quietLoad }]);
        const c = compareSides(side("b", base), side("c", cand), { metrics: ["decodeTps"] });
        expect(c.counts.regression).toBe(2);
        expect(c.rows.map((r) => `${r.config} ${r.verdict} ${r.busy === true}`)).toEqual(["a regression true", "a regression true", "b unchanged false", "b unchanged false"]);
        expect(c.busy).toEqual([{ side: "candidate", label: "model a", config: "a", reason: "load 3.1 on 2 cores, other processes used 60 % of the CPU" }]);
        const text = compareSerializers.text(c);
        expect(text).toContain("the machine was busy: load 3.1 on 2 cores, other processes used 60 % of the CPU during model a (candidate)");
        expect(text).toMatch(/2 of the 2 regression\(s\) were measured while the machine was busy: .*the machine, not the change, may be their cause/);
        expect(text).toContain("repetitions, busy machine");
        expect(compareSerializers.md(c)).toMatch(/> ⚠️ the machine was busy: load 3\.1 on 2 cores/);
        // several busy configs on a side fold into one line
        const allBusy = compareSides(side("b", base), side("c", run("r4", "2026-01-04T00:00:00.000Z", [
            { ...config("a", steady, steadyTtft), machineLoad: busyLoad }, { ...config("b", steady, steadyTtft), machineLoad: busyLoad }])), { metrics: ["decodeTps"] });
        expect(busyLines(allBusy)).toEqual(["the machine was busy during 2 configs of the candidate: load 3.1 on 2 cores, other processes used 60 % of the CPU during model a, …"]);
        // a quiet machine: no flag, no note
        const quiet = compareSides(side("b", base), side("c", run("r3", "2026-01-03T00:00:00.000Z", [{ ...config("a", [80, 81, 79], steadyTtft), machineLoad: quietLoad }])), { metrics: ["decodeTps"] });
        expect(quiet.busy).toEqual([]);
        expect(compareSerializers.text(quiet)).not.toContain("busy");
    });
});

describe("the formats", () => {
    const base = run("r1", "2026-01-01T00:00:00.000Z", [
        { ...config("a", steady, steadyTtft), label: "model a | <b>" }, config("b", steady, steadyTtft), config("c", steady, steadyTtft)
    ]);
    // a: decode −20 % (regressions), TTFT 20 % lower (an improvement); b: unchanged; c: decode all over the place (inconclusive)
    const cand = run("r2", "2026-01-02T00:00:00.000Z", [
        { ...config("a", [80, 81, 79], [40, 40.4, 39.6]), label: "model a | <b>" }, config("b", [100.2, 99.8, 100], steadyTtft), config("c", [60, 140, 85], steadyTtft)
    ]);
    const c = compareSides(side("main", base), side("HEAD", cand));

    it("text: the verdict first, then regressions, improvements, inconclusive, each by config in suite order; --all adds the rest", () => {
        const plain = compareSerializers.text(c);
        const lines = plain.split("\n");
        expect(lines[0]).toMatch(/^REGRESSION: 2 rows worse beyond 5 % \(2 regressions, 1 improvement, \d+ inconclusive, \d+ unchanged, \d+ not judged\)$/);
        expect(lines.slice(1, 3)).toEqual(["baseline:  main: run r1", "candidate: HEAD: run r2"]);
        const titles = lines.filter((l) => /^(regressions|improvements|inconclusive|unchanged|not judged)\b.*: \d+$/.test(l)).map((l) => l.split(/[ :]/)[0]);
        expect(titles).toEqual(["regressions", "improvements", "inconclusive"]);
        expect(plain).toContain("baseline (geo. mean)");
        expect(plain).toContain("noise model");
        expect(plain).toMatch(/unchanged and \d+ not judged rows not shown: --all shows every row/);
        // regressions: config a's rows, the config named on its first row only, explain before tg64 (the run's order)
        const regressions = lines.slice(lines.findIndex((l) => l.startsWith("regressions")) + 3, lines.findIndex((l) => l.startsWith("improvements")) - 1);
        expect(regressions.map((l) => l.trim().split(/\s{2,}/).slice(0, 3))).toEqual([["model a | <b>", "explain", "decode tok/s"], ["tg64", "decode tok/s", expect.any(String)]]);
        // inconclusive rows in suite order: config b (TTFT?) before c; c is there
        const inconclusive = lines.slice(lines.findIndex((l) => l.startsWith("inconclusive")));
        expect(inconclusive.some((l) => l.startsWith("model c"))).toBe(true);
        const all = compareSerializers.text(c, { all: true }).split("\n").filter((l) => /^(regressions|improvements|inconclusive|unchanged|not judged)\b.*: \d+$/.test(l)).map((l) => l.split(/[ :]/)[0]);
        expect(all).toEqual(["regressions", "improvements", "inconclusive", "unchanged", "not"]);
    });

    it("says under the inconclusive rows what would settle them: how wide their intervals are, by which noise model, and more runs a side", () => {
        const rows = c.rows.filter((r) => r.verdict === "inconclusive");
        const halfWidths = rows.map((r) => (Math.sqrt(r.high! / r.low!) - 1) * 100).sort((a, b) => a - b);
        const median = halfWidths[Math.floor((halfWidths.length - 1) / 2)]!;
        const hint = inconclusiveHint(c)!;
        expect(hint).toBe(`each inconclusive interval reaches across ±5 %; at the median row it spans ±${median.toFixed(median < 10 ? 1 : 0)} % ` +
            `(${rows.length} of ${rows.length} rows judged by repetitions): these come from one run a side; more runs a side narrow them (commit them, then compare with --pool)`);
        const lines = compareSerializers.text(c).split("\n");
        const at = lines.indexOf(hint);
        // right under the inconclusive table
        expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("inconclusive")));
        expect(compareSerializers.md(c)).toContain(hint);
        // nothing inconclusive: nothing said
        expect(inconclusiveHint(compareSides(side("main", base), side("HEAD", base), { sameRun: true }))).toBeNull();
    });

    it("text: coloured only when asked, untrusted text made visible", () => {
        expect(compareSerializers.text(c)).not.toContain("\u001b[");
        expect(compareSerializers.text(c, { color: true })).toMatch(/\u001b\[31m\u001b\[1m.*decode tok\/s/);
        const hostile = compareSides(side("main", base), side("HEAD", run("r3", "2026-01-03T00:00:00.000Z", [{ ...config("a", steady, steadyTtft), label: "x\u001b[2Jy" }])));
        expect(compareSerializers.text(hostile, { all: true })).toContain("x\\x1b[2Jy");
    });

    it("markdown: the verdict, a table of what changed, inconclusive and every row folded, cells escaped", () => {
        const md = compareSerializers.md(c);
        const lines = md.split("\n");
        expect(lines[0]).toBe("**gguf-bench: 2 regressions beyond 5 %**, worst model a \\| &lt;b&gt; explain decode tok/s −20 %");
        expect(lines[2]).toMatch(/^2 regressions, 1 improvement, \d+ inconclusive, \d+ unchanged, \d+ not judged\. Baseline main; candidate HEAD\.$/);
        // the first table is what changed: its rows are the 3 flagged ones, and it comes before any <details>
        const table = lines.slice(4, lines.findIndex((l) => l.startsWith("<details>")) - 1);
        expect(table[0]).toBe("| config | prompt/test | metric | baseline (geo. mean) | candidate (geo. mean) | change [95 % CI] | noise model | verdict |");
        expect(table.slice(2).map((l) => l.split(" | ").at(-1))).toEqual(["improvement |", "regression |", "regression |"]);
        expect(table[2]).toMatch(/^\| model a \\\| &lt;b&gt; \| explain \| TTFT ms \|/);
        expect(md).toMatch(/<details><summary>\d+ inconclusive<\/summary>/);
        expect(md).toMatch(/<details><summary>all \d+ rows<\/summary>/);
        expect(md).not.toContain("<b>");
        const quiet = compareSerializers.md(compareSides(side("main", base), side("HEAD", base), { sameRun: true }));
        expect(quiet.split("\n")[0]).toBe("**gguf-bench: no change beyond 5 %**");
        expect(quiet).not.toContain("| config |\n"); // no table of changes, only the folded ones
        expect(quiet.split("<details>")[0]).not.toContain("| config |");
    });

    it("json: the whole comparison, for tools", () => {
        const parsed = JSON.parse(compareSerializers.json(c));
        expect(parsed.counts).toEqual(c.counts);
        expect(Object.keys(parsed.counts)).toEqual(["regression", "improvement", "unchanged", "inconclusive", "not judged"]);
        expect(parsed.rows).toHaveLength(c.rows.length);
        expect(Object.keys(parsed)).toEqual(["baseline", "candidate", "threshold", "level", "matchBy", "acrossMachines", "pool", "rows", "unmatched", "machines", "pairedDifferences", "busy", "counts", "knees"]);
    });
});

describe("`latest` as a side", () => {
    it("is the newest run in the database with the newest run of each other shard of the same suite, commit and machine", async () => {
        const dir = mkdtempSync(join(tmpdir(), "gguf-bench-latest-"));
        try {
            const db = join(dir, "bench.db");
            const store = Store.open(db);
            const save = (id: string, startedAt: string, shard: RunRecord["shard"], commit = makeRun().git.commit, machine = makeRun().machine) => {
                store.createRun({ ...makeRun(), id, startedAt, shard, git: { commit, dirty: false }, machine });
                store.saveConfig(id, config(`c-${id}`, steady, steadyTtft));
            };
            save("old-s1", "2026-01-01T00:00:00.000Z", { index: 1, count: 3 });
            save("s1", "2026-01-02T00:00:00.000Z", { index: 1, count: 3 });
            save("s3", "2026-01-02T00:00:02.000Z", { index: 3, count: 3 });
            save("other-commit-s2", "2026-01-02T00:00:03.000Z", { index: 2, count: 3 }, "f".repeat(40));
            save("other-machine-s1", "2026-01-02T00:00:03.500Z", { index: 1, count: 3 }, makeRun().git.commit, { ...makeRun().machine, cpu: "Other CPU" });
            save("s2", "2026-01-02T00:00:04.000Z", { index: 2, count: 3 });
            store.close();
            const side = await resolveSide("latest", { db, results: join(dir, "runs") });
            expect(side.runs.map((r) => r.run.id)).toEqual(["s1", "s3", "s2"]);
            expect(side.description).toBe("latest run s2 with 2 other shard(s) of it (database)");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
