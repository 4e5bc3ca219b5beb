/** compare: matching, statistics and verdicts on hand-made runs; shards; the three formats; `latest`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareSides, type Comparison } from "../../runner/compare/compareSides.ts";
import { compareSerializers, comparisonWarnings } from "../../runner/compare/compareSerializers.ts";
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
        expect(decode).toMatchObject({ better: "higher", baseline: { n: 3, median: 100 }, candidate: { n: 3, median: 80 } });
        expect(decode.ratio).toBeCloseTo(0.8, 2);
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
            config("a", [97, 98, 96], steadyTtft), //   −3 %, tight: significant, but within 5 %
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
        expect(c.rows.map((r) => r.verdict)).toEqual(Array(6).fill("unchanged"));
        // at a lower threshold the tight changes count: their intervals (a: [−5.2 %, −0.7 %], c: [−14.5 %, −1.0 %]) clear it
        expect(verdicts(compareSides(side("base", base), side("cand", cand), { threshold: 0.5, metrics: ["decodeTps"] })))
            .toEqual(["a explain decodeTps regression", "a tg64 decodeTps regression", "c explain decodeTps regression", "c tg64 decodeTps regression"]);
    });

    it("shows figures measured once per config without a verdict, and judges them when runs are pooled", () => {
        const base = run("r1", "2026-01-01T00:00:00.000Z", [config("a", steady, steadyTtft, 300e6)]);
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [config("a", steady, steadyTtft, 345e6, { loadMs: 900 })]);
        const c = compareSides(side("base", base), side("cand", cand));
        const rss = c.rows.find((r) => r.metric === "peakRssBytes")!;
        expect(rss).toMatchObject({ item: "(config)", ratio: 1.15, low: null, p: null, verdict: "not judged" });
        expect(rss.note).toMatch(/one value a side: .*--pool/);
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
        const cand = run("r2", "2026-01-02T00:00:00.000Z", [fewer, config("new", steady, steadyTtft),
            { ...config("bad", [], []), status: "crashed", error: "killed by SIGKILL" }]);
        const c = compareSides(side("base", base), side("cand", cand));
        expect(c.unmatched.map((u) => `${u.side} ${u.config}${u.item != null ? ` ${u.item}` : ""}: ${u.why}`)).toEqual([
            "baseline gone: not in the candidate",
            "baseline a tg64: not measured in the candidate",
            // matched configs in label order: `model bad` before `model new`
            "candidate bad: crashed in the candidate",
            "candidate new: not in the baseline"
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
        const key = (c: Comparison) => c.rows.map((r) => ({ ...r }));
        expect(key(asShards)).toEqual(key(asOne));
        expect(asShards.unmatched).toEqual([]);
        // an older run of a config is superseded by a newer one on the same side
        const stale = run("r0", "2025-12-31T00:00:00.000Z", [config("a", [10, 10, 10], steadyTtft)]);
        expect(key(compareSides(side("base", base), side("cand", stale, ...shards)))).toEqual(key(asOne));
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
        expect(compareSides(side("b", base), side("c", cand)).rows).toEqual([]);
        for (const matchBy of ["label", "order"] as const) {
            const c = compareSides(side("b", base), side("c", cand), { matchBy });
            expect(verdicts(c)).toEqual([]);
            expect(c.rows.find((r) => r.metric === "peakRssBytes")).toMatchObject({ config: "ctx8192", ratio: 1.15, verdict: "not judged" });
            expect(comparisonWarnings(c)).toEqual([`paired by ${matchBy}, the configs differ (synthetic small Q4_0): context: 2048 → 8192`]);
        }
    });
});

describe("the formats", () => {
    const base = run("r1", "2026-01-01T00:00:00.000Z", [{ ...config("a", steady, steadyTtft), label: "model a | <b>" }]);
    const cand = run("r2", "2026-01-02T00:00:00.000Z", [{ ...config("a", [80, 81, 79], steadyTtft), label: "model a | <b>" }]);
    const c = compareSides(side("main", base), side("HEAD", cand));

    it("markdown: a one-line verdict on top, the flagged rows, every row folded, cells escaped", () => {
        const md = compareSerializers.md(c);
        const lines = md.split("\n");
        expect(lines[0]).toBe("**gguf-bench: 2 regressions beyond 5 %**, worst model a \\| &lt;b&gt; explain decode tok/s −20 %");
        expect(md).toContain("| config | prompt/test | metric | baseline median | candidate median | change [95 % CI] | p | verdict |");
        expect(md).toMatch(/\| model a \\\| &lt;b&gt; \| explain \| decode tok\/s \| 100\.0 tok\/s \(n=3\) \| 80\.0 tok\/s \(n=3\) \| −20 % \[−2\d %, −1\d %\] \| <0\.001 \| regression \|/);
        expect(md).toContain("<details><summary>every metric compared</summary>");
        expect(md).not.toContain("<b>");
        const quiet = compareSerializers.md(compareSides(side("main", base), side("HEAD", base)));
        expect(quiet.split("\n")[0]).toBe("**gguf-bench: no regression beyond 5 %** (0 improvements)");
    });

    it("text: aligned, coloured only when asked, untrusted text made visible", () => {
        const plain = compareSerializers.text(c);
        expect(plain).not.toContain("\u001b[");
        expect(plain).toMatch(/^baseline: {2}main\ncandidate: HEAD\n/);
        expect(plain).toContain("2 regressions, 0 improvements, ");
        const colored = compareSerializers.text(c, { color: true });
        expect(colored).toMatch(/\u001b\[31m\u001b\[1m.*regression/);
        const hostile = compareSides(side("main", base), side("HEAD", run("r3", "2026-01-03T00:00:00.000Z", [{ ...config("a", steady, steadyTtft), label: "x\u001b[2Jy" }])));
        // the labels differ, so the row shows both
        expect(compareSerializers.text(hostile)).toContain("x\\x1b[2Jy");
    });

    it("json: the whole comparison, for tools", () => {
        const parsed = JSON.parse(compareSerializers.json(c));
        expect(parsed.counts).toEqual(c.counts);
        expect(parsed.rows).toHaveLength(c.rows.length);
        expect(Object.keys(parsed)).toEqual(["baseline", "candidate", "threshold", "level", "matchBy", "acrossMachines", "pool", "rows", "unmatched", "machines", "pairedDifferences", "counts", "knees"]);
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
