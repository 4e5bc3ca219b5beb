import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metricCatalogue, type MetricDef } from "../../../runner/metrics/catalogue.ts";
import { migrations } from "../../../runner/store/migrations.ts";
import { schemaVersion } from "../../../runner/store/db.ts";
import { Store } from "../../../runner/store/store.ts";
import { loadSite } from "../../../report/src/data/loadSite.ts";
import { openResults } from "../../../runner/store/openResults.ts";
import { readRun } from "../../../runner/store/siteReader.ts";
import { headlineTable } from "../../../report/src/data/headlineTable.ts";
import { latestSections } from "../../../report/src/data/sections.ts";
import { peakMemoryTie, tradeoffs } from "../../../report/src/data/tradeoff.ts";
import { paretoFront } from "../../../report/src/data/pareto.ts";
import { ladders } from "../../../report/src/data/ladder.ts";
import { scalings } from "../../../report/src/data/scaling.ts";
import { histories, relativeToFirst } from "../../../report/src/data/history.ts";
import { machineComparisons } from "../../../report/src/data/machines.ts";
import { configDetail, gapsByPosition } from "../../../report/src/data/configDetail.ts";
import { modelFamily } from "../../../report/src/data/modelFamily.ts";
import { config, machineB, run, save } from "./handMade.ts";

let dir: string;
let path: string;
beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gguf-bench-report-"));
    path = join(dir, "bench.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(fill: (store: Store) => void): void {
    const store = Store.open(path);
    fill(store);
    store.close();
}

function loaded() {
    const db = openResults(path);
    try {
        return loadSite(db, path);
    } finally {
        db?.close();
    }
}

const quality: MetricDef = { name: "kldMean", label: "mean KLD", unit: "nats", better: "lower", group: "quality", digits: 4, description: "test", headline: true };
const withQuality = new Map([...metricCatalogue, [quality.name, quality]]);

describe("loading the results", () => {
    it("gives an empty site when there is no database yet", () => {
        expect(openResults(join(dir, "none.db"))).toBeNull();
        expect(loadSite(null)).toEqual({ source: null, runs: [], configs: [] });
    });

    it("shows a quality pass as the pseudo-prompt `quality`: its figures recomputed from the per-position samples, with their standard errors", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [{
            ...config("q4", { quant: "Q4_0", figures: { explain: { decodeTps: [30, 30, 30] } } }),
            quality: {
                corpus: { path: "corpora/sample.txt", sha256: "ab" }, context: 128, chunks: 1, corpusTokens: 200, ms: 10, peakRssBytes: 1,
                reference: { name: "F16", file: "f16.gguf", sha256: "cd", topK: null, cacheKey: "k", cacheBytes: 100, computeMs: 5 },
                positions: { token: [1, 2], nll: [Math.log(2), Math.log(8)], top1: [1, 3], nllRef: [Math.log(2), Math.log(4)], top1Ref: [1, 2], kld: [0.25, 0.75] }
            }
        }]));
        const site = loaded();
        const q4 = site.configs[0]!;
        expect(q4.prompts).toEqual(["explain", "quality"]);
        expect(q4.summaries.quality!.perplexity).toMatchObject({ n: 2, median: expect.closeTo(4, 10) });
        expect(q4.summaries.quality!.kldMean).toMatchObject({ n: 2, median: 0.5, sd: expect.closeTo(0.25, 10) });
        expect(headlineTable(site.configs).columns.map((c) => c.metric)).toContain("kldMean");
    });

    it("reads the engine each config ran on, null where none was recorded", () => {
        const engine = { build: "localBuild" as const, llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : OPENMP = 1 |", features: ["backend:CPU", "OPENMP"] };
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            { ...config("local", { figures: { explain: { decodeTps: [30] } } }), engine },
            { ...config("old", { figures: { explain: { decodeTps: [30] } } }), engine: null }
        ]));
        expect(loaded().configs.map((c) => [c.id, c.engine])).toEqual([["local", engine], ["old", null]]);
    });

    it("reads what the machine was doing during each config (issue 17), null where it was not recorded", () => {
        const busy = { loadAverage: 3.1, cores: 2, othersCpu: 0.6, steal: 0, throttleEvents: null };
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            { ...config("busy", { figures: { explain: { decodeTps: [30, 30, 30] } } }), machineLoad: busy },
            config("old", { figures: { explain: { decodeTps: [30, 30, 30] } } })
        ]));
        const site = loaded();
        expect(site.configs.map((c) => [c.id, c.machineLoad])).toEqual([["busy", busy], ["old", null]]);
    });

    it("recomputes summaries from the raw samples and lists runs newest first", () => {
        write((store) => {
            save(store, run("old", "2025-01-01T00:00:00.000Z"), [config("c1", { figures: { explain: { decodeTps: [10, 14, 12] } } })]);
            save(store, run("new", "2025-02-01T00:00:00.000Z"), [
                config("c1", { figures: { explain: { decodeTps: [20, 22, 30] } } }),
                config("c2", { status: "crashed", error: "signal SIGKILL", figures: {} })
            ]);
        });
        const site = loaded();
        expect(site.runs.map((r) => r.id)).toEqual(["new", "old"]);
        expect(site.runs[0]!.statusCounts).toEqual({ ok: 1, crashed: 1 });
        const c1 = site.configs.find((c) => c.runId === "new" && c.id === "c1")!;
        expect(c1.summaries.explain!.decodeTps).toMatchObject({ n: 3, median: 22, min: 20, max: 30, mean: 24 });
        expect(c1.summaries.explain!.decodeTps!.sd).toBeCloseTo(Math.sqrt(28), 10);
        expect(c1.family).toBe("org/model");
    });

    it("migrates a database of an older schema before reading it", () => {
        const old = new Database(path);
        old.exec(migrations[0]!);
        old.pragma("user_version = 1");
        old.prepare(`INSERT INTO runs (id, suite_name, suite_path, suite_sha256, started_at, status, machine)
                     VALUES ('r1', 's', 's.yaml', 'x', '2025-01-01T00:00:00Z', 'completed', ?)`).run(JSON.stringify(run("r1", "").machine));
        old.close();
        const site = loaded();
        expect(site.runs.map((r) => r.id)).toEqual(["r1"]);
        const db = new Database(path, { readonly: true });
        expect(schemaVersion(db)).toBe(migrations.length);
        db.close();
    });

    it("reads one whole run with its raw samples through the store's read API (recommendation, trade-off intervals), by id only", () => {
        write((store) => {
            save(store, run("old", "2025-01-01T00:00:00.000Z"), [config("c1", { figures: { explain: { decodeTps: [10, 14, 12] } } })]);
            save(store, run("new", "2025-02-01T00:00:00.000Z"), [config("c1", { figures: { explain: { decodeTps: [20, 22, 30] } } })]);
        });
        const db = openResults(path)!;
        try {
            const saved = readRun(db, "old");
            expect(saved?.run.id).toBe("old");
            expect(saved?.configs.map((c) => [c.id, c.measurements.map((m) => m.metrics.decodeTps)])).toEqual([["c1", [10, 14, 12]]]);
            expect(readRun(db, "missing")).toBeNull();
            // `latest` is the CLI's alias, not a run id the report names
            expect(readRun(db, "latest")).toBeNull();
        } finally {
            db.close();
        }
    });

    it("refuses a database made by a newer gguf-bench", () => {
        write(() => undefined);
        const db = new Database(path);
        db.pragma(`user_version = ${migrations.length + 1}`);
        db.close();
        expect(() => openResults(path)).toThrow(/newer than this gguf-bench knows/);
    });
});

describe("ad-hoc runs", () => {
    it("keeps a bench --model run out of the suite sections, and lists it with the runs", () => {
        write((store) => {
            save(store, run("suite-run", "2025-01-01T00:00:00.000Z"), [config("a", { quant: "F16", figures: { explain: { decodeTps: [10] } } })]);
            save(store, { ...run("adhoc-run", "2025-01-02T00:00:00.000Z", { suite: "ad-hoc" }), suite: { name: "ad-hoc", path: "(command line)", sha256: "cd".repeat(32) } },
                [config("b", { quant: "Q4_0", figures: { prompt: { decodeTps: [99] } } })]);
        });
        const site = loaded();
        expect(site.runs.map((r) => r.id)).toEqual(["adhoc-run", "suite-run"]);
        expect(latestSections(site).map((s) => s.runs.map((r) => r.id))).toEqual([["suite-run"]]);
    });
});

describe("a suite run in shards", () => {
    it("shows the shards of one run (same suite file, commit and machine) as one section, the newest of each part", () => {
        const shard = (id: string, startedAt: string, index: number, opts: Parameters<typeof run>[2] = {}) => ({ ...run(id, startedAt, opts), shard: { index, count: 2 } });
        const decode = (tps: number) => ({ explain: { decodeTps: [tps] } });
        write((store) => {
            save(store, shard("old-s1", "2025-01-01T00:00:00.000Z", 1), [config("a", { quant: "F16", figures: decode(1) })]);
            save(store, shard("s1", "2025-01-02T00:00:00.000Z", 1), [config("a", { quant: "F16", figures: decode(10) }), config("c", { quant: "Q4_0", figures: decode(30) })]);
            save(store, shard("mac-s1", "2025-01-02T00:00:01.000Z", 1, { machine: machineB }), [config("a", { quant: "F16", figures: decode(50) })]);
            save(store, shard("s2", "2025-01-02T00:00:02.000Z", 2), [config("b", { quant: "Q8_0", figures: decode(20) })]);
        });
        const sections = latestSections(loaded());
        expect(sections.map((s) => s.runs.map((r) => r.id))).toEqual([["s1", "s2"], ["mac-s1"]]);
        expect(sections[0]!.configs.map((c) => [c.runId, c.id])).toEqual([["s1", "a"], ["s1", "c"], ["s2", "b"]]);
        expect(headlineTable(sections[0]!.ok).rows.map((r) => r.cells[0])).toEqual(["10.0", "30.0", "20.0"]);
        expect(tradeoffs(sections[0]!.ok)[0]!.points.map((p) => p.config.quant)).toEqual(["F16", "Q4_0", "Q8_0"]);
    });
});

describe("the headline table", () => {
    it("reads each metric from the first prompt that has it, with per-config figures, median ± sd from the catalogue", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            config("a", { quant: "Q4_K_M", figures: { explain: { ttftMs: [100, 120, 110] }, tg128: { decodeTps: [50, 52, 54] } }, peakRssBytes: 300 * 2 ** 20, sizeBytes: 2 ** 30 }),
            config("b", { quant: "Q8_0", figures: { explain: { ttftMs: [150, 160, 170], decodeTps: [30, 31, 32] }, tg128: { decodeTps: [40, 40, 40] } } })
        ]));
        const [section] = latestSections(loaded());
        const table = headlineTable(section!.configs);
        expect(table.columns.map((c) => [c.metric, c.prompt])).toEqual([
            ["decodeTps", "tg128"], ["ttftMs", "explain"], ["peakRssBytes", null], ["sizeBytes", null]
        ]);
        expect(table.columns[0]).toMatchObject({ title: "decode tok/s", better: "higher is better" });
        expect(table.rows[0]!.cells).toEqual(["52.0 ± 2.0", "110.0 ± 10.0", "300 MiB", "1.0 GiB"]);
        expect(table.rows[1]!.cells[0]).toBe("40.0 ± 0.0");
    });

    it("counts peak memories within the measured run-to-run spread as a tie on the front: the faster config dominates", () => {
        const MiB = 2 ** 20;
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            // one quant at two thread counts: the same weights, peaks 1 MiB apart; the slower one is not better on memory
            config("t1", { quant: "Q4_0", figures: { explain: { decodeTps: [80, 81, 82] } }, peakRssBytes: 500 * MiB }),
            config("t2", { quant: "Q4_0", figures: { explain: { decodeTps: [120, 121, 122] } }, peakRssBytes: 501 * MiB }),
            // 6 % less memory is beyond the 5 % tie: a smaller quant, slower, stays on the front
            config("q3", { quant: "Q3_K", figures: { explain: { decodeTps: [70, 71, 72] } }, peakRssBytes: 470 * MiB }),
            // within the tie of q3 and slower still: dominated by q3
            config("q2", { quant: "Q2_K", figures: { explain: { decodeTps: [60, 61, 62] } }, peakRssBytes: 465 * MiB })
        ]));
        const [memory] = tradeoffs(latestSections(loaded())[0]!.ok);
        expect(memory!.x.name).toBe("peakRssBytes");
        expect(memory!.points.map((p) => [p.config.id, p.onFront])).toEqual([["t1", false], ["t2", true], ["q3", true], ["q2", false]]);
        // the points keep the figure as measured: no error bar is drawn for it
        expect(memory!.points.map((p) => [p.xLow, p.xHigh])).toEqual(memory!.points.map((p) => [p.x, p.x]));
        expect(peakMemoryTie).toBe(0.05);
    });

    it("adds the headline catalogue metrics of group quality that some config measured, and a trade-off against it", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            config("f16", { quant: "F16", figures: { explain: { decodeTps: [10, 10, 10] } }, peakRssBytes: 400 }),
            config("q8", { quant: "Q8_0", figures: { explain: { decodeTps: [20, 20, 20] }, quality: { kldMean: [0.01] } }, peakRssBytes: 200 }),
            config("q4", { quant: "Q4_0", figures: { explain: { decodeTps: [30, 30, 30] }, quality: { kldMean: [0.05] } }, peakRssBytes: 100 })
        ]));
        const configs = latestSections(loaded())[0]!.ok;
        // the metric catalogue has the quality metrics (issue #11): the default catalogue adds the column too
        expect(headlineTable(configs).columns.at(-1)).toMatchObject({ metric: "kldMean", prompt: "quality", title: "KLD nats", better: "lower is better" });
        const table = headlineTable(configs, withQuality);
        expect(table.columns.at(-1)).toMatchObject({ metric: "kldMean", prompt: "quality", title: "mean KLD nats", better: "lower is better" });
        expect(table.rows.map((r) => r.cells.at(-1))).toEqual([null, "0.0100", "0.0500"]);

        const t = tradeoffs(configs, withQuality);
        expect(t.map((x) => `${x.y.name} vs ${x.x.name}`)).toEqual(["decodeTps vs peakRssBytes", "decodeTps vs kldMean"]);
        // against memory Q4_0 beats all; against quality loss Q8_0 (less loss) and Q4_0 (faster) both stay on the front
        expect(t[0]!.points.map((p) => [p.config.quant, p.onFront])).toEqual([["F16", false], ["Q8_0", false], ["Q4_0", true]]);
        expect(t[1]!.points.map((p) => [p.config.quant, p.onFront])).toEqual([["Q8_0", true], ["Q4_0", true]]);
        expect(tradeoffs(configs).length).toBe(2); // the default catalogue knows kldMean too
    });

    it("keeps to the quality figures quants are ranked on: PPL, KLD mean and p99.9, same top-1; trade-offs against KLD, else PPL", () => {
        const every = { perplexity: [600], perplexityRef: [600], kldMean: [0.01], kldMedian: [0.009], kldP99: [0.02], kldP999: [0.03], kldMax: [0.04], sameTop1: [90], deltaPRms: [0.1] };
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            config("q8", { quant: "Q8_0", figures: { explain: { decodeTps: [20, 20, 20] }, quality: every }, peakRssBytes: 200 }),
            config("q4", { quant: "Q4_0", figures: { explain: { decodeTps: [30, 30, 30] }, quality: { ...every, kldMean: [0.05], kldP999: [0.1] } }, peakRssBytes: 100 })
        ]));
        const configs = latestSections(loaded())[0]!.ok;
        expect(headlineTable(configs).columns.filter((c) => c.prompt === "quality").map((c) => c.metric)).toEqual(["perplexity", "kldMean", "kldP999", "sameTop1"]);
        expect(tradeoffs(configs).map((t) => t.x.name)).toEqual(["peakRssBytes", "kldMean", "kldP999"]);

        write((store) => save(store, run("p", "2025-01-02T00:00:00.000Z"), [
            config("a", { quant: "Q8_0", figures: { explain: { decodeTps: [20, 20, 20] }, quality: { perplexity: [7] } }, peakRssBytes: 200 }),
            config("b", { quant: "Q4_0", figures: { explain: { decodeTps: [30, 30, 30] }, quality: { perplexity: [8] } }, peakRssBytes: 100 })
        ]));
        const perplexityOnly = latestSections(loaded()).find((section) => section.runs[0]!.id === "p")!.ok;
        expect(tradeoffs(perplexityOnly).map((t) => t.x.name)).toEqual(["peakRssBytes", "perplexity"]);
    });
});

describe("Pareto front", () => {
    it("keeps the points no other point beats on both axes", () => {
        const points = [{ x: 1, y: 1 }, { x: 2, y: 3 }, { x: 3, y: 2 }, { x: 2, y: 3 }, { x: 4, y: 4 }];
        expect(paretoFront(points, "lower", "higher")).toEqual([true, true, false, true, true]);
        expect(paretoFront(points, "higher", "higher")).toEqual([false, false, false, false, true]);
    });

    it("counts values within an axis's tie band as equal: the point better on the other axis dominates, beyond the band the smaller wins", () => {
        // x: memory (lower is better), measured once; y: speed (higher is better) with intervals
        const points = [
            { x: 100, y: 10, yLow: 9, yHigh: 11 }, // ties with the next on memory (3 % apart), slower beyond both intervals
            { x: 103, y: 20, yLow: 19, yHigh: 21 },
            { x: 90, y: 8, yLow: 7, yHigh: 9 }, // 10 % below the first: better on memory beyond the band, the slowest
            { x: 104, y: 20.5, yLow: 19.5, yHigh: 21.5 } // ties with the second on both axes: neither dominates
        ];
        expect(paretoFront(points, "lower", "higher", { x: 0.05 })).toEqual([false, true, true, true]);
        // without a band, 3 % less memory keeps the slower point on the front
        expect(paretoFront(points, "lower", "higher")).toEqual([true, true, true, true]);
    });
});

describe("ladders, scaling, history, machines", () => {
    it("orders a model's ladder from the largest file and carries the min–max spread", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            config("q4", { quant: "Q4_0", sizeBytes: 100, figures: { explain: { decodeTps: [30, 33, 31] } } }),
            config("f16", { quant: "F16", sizeBytes: 400, figures: { explain: { decodeTps: [10, 11, 12] } } }),
            config("other", { repo: "org/other", quant: "Q8_0", figures: { explain: { decodeTps: [5, 5, 5] } } })
        ]));
        const result = ladders(latestSections(loaded())[0]!.configs);
        expect(result.map((l) => l.family)).toEqual(["org/model", "org/other"]);
        expect(result[0]!.steps.map((s) => s.quant)).toEqual(["F16", "Q4_0"]);
        expect(result[0]!.steps[1]!.speeds[0]).toMatchObject({ metric: "decodeTps", prompt: "explain", value: { median: 31, min: 30, max: 33 } });
    });

    it("draws figures against a swept numeric setting, series holding the rest fixed, and against depth", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [
            config("t1", { params: { threads: 1 }, figures: { tg16: { decodeTps: [10], depth: [0] }, "tg16@d512": { decodeTps: [8], depth: [512] } } }),
            config("t2", { params: { threads: 2 }, figures: { tg16: { decodeTps: [15], depth: [0] }, "tg16@d512": { decodeTps: [11], depth: [512] } } })
        ]));
        const result = scalings(latestSections(loaded())[0]!.configs);
        const byThreads = result.find((s) => s.by === "threads" && s.metric === "decodeTps")!;
        expect(byThreads.points.map((p) => [p.series, p.x, p.y])).toEqual([["org/model Q8_0", 1, 10], ["org/model Q8_0", 2, 15]]);
        const byDepth = result.find((s) => s.by === "depth" && s.metric === "decodeTps")!;
        expect(byDepth.points.map((p) => [p.x, p.y])).toEqual([[0, 10], [512, 8], [0, 15], [512, 11]]);
        expect(result.some((s) => s.by === "threadsBatch")).toBe(false);
    });

    it("follows one config over runs on one machine, and sets machines side by side", () => {
        write((store) => {
            save(store, run("jan", "2025-01-01T00:00:00.000Z", { commit: "aaaa" }), [config("c", { figures: { explain: { decodeTps: [10] } } })]);
            save(store, run("feb", "2025-02-01T00:00:00.000Z", { commit: "bbbb" }), [config("c", { figures: { explain: { decodeTps: [12] } } })]);
            save(store, run("mac", "2025-03-01T00:00:00.000Z", { machine: machineB }), [config("c", { figures: { explain: { decodeTps: [40] } } })]);
        });
        const site = loaded();
        const decode = histories(site).find((h) => h.metric === "decodeTps")!;
        expect(decode.points.map((p) => [p.run.git.commit, p.median])).toEqual([["aaaa", 10], ["bbbb", 12]]);
        const machines = machineComparisons(site).find((c) => c.metric === "decodeTps")!;
        expect(machines.entries.map((e) => [e.run.id, e.median])).toEqual([["mac", 40], ["feb", 12]]);
    });
});

describe("a config's raw records", () => {
    it("reads repetitions, token gaps, the RSS timeline and outputs of one config", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [config("c", { figures: { explain: { decodeTps: [1, 2] } }, outputs: { explain: "<script>x</script>" } })]));
        const db = openResults(path)!;
        const d = configDetail(db, "r", "c");
        db.close();
        expect(d.repetitions.map((r) => [r.prompt, r.rep, r.metrics.decodeTps])).toEqual([["explain", 0, 1], ["explain", 1, 2]]);
        expect(gapsByPosition(d.repetitions[0]!.tokenTimesMs!)).toEqual([{ position: 2, gapMs: 2 }, { position: 3, gapMs: 3 }, { position: 4, gapMs: 4 }]);
        expect(d.rss.map((s) => s.phase)).toEqual(["load", "decode"]);
        expect(d.outputs.explain).toBe("<script>x</script>");
        expect(loaded().configs[0]!.quality).toBeNull();
    });

    it("words typed warnings as the terminal does, and says what the quality pass scored and against what", () => {
        write((store) => save(store, run("r", "2025-01-01T00:00:00.000Z"), [config("c", {
            figures: { explain: { decodeTps: [1, 2] } },
            warnings: [{ kind: "batchCapped", batch: 512, context: 256 }, { kind: "note", text: "old text warning" }],
            qualityPass: {
                corpus: { path: "corpora/sample.txt", sha256: "ef".repeat(32) }, context: 8, chunks: 2, corpusTokens: 20,
                reference: { name: "F16", file: "m-f16.gguf", sha256: "12".repeat(32), topK: null, cacheKey: "k", cacheBytes: 10, computeMs: 5 },
                ms: 300, peakRssBytes: 1000,
                positions: { token: [1, 2, 3, 4, 5, 6], nll: [1, 1, 1, 1, 1, 1], top1: [1, 2, 3, 4, 5, 6], nllRef: [1, 1, 1, 1, 1, 1], top1Ref: [1, 2, 3, 4, 5, 6], kld: [0, 0, 0, 0, 0, 0] }
            }
        })]));
        const db = openResults(path)!;
        const d = configDetail(db, "r", "c");
        db.close();
        expect(d.warnings).toEqual(["batch 512 > context 256: batch capped to 256", "old text warning"]);
        expect(loaded().configs[0]!.quality).toMatchObject({ corpus: "corpora/sample.txt", context: 8, chunks: 2, corpusTokens: 20, scored: 6, ms: 300, reference: { name: "F16", topK: null } });
    });
});

describe("model families", () => {
    it("groups quants of one model: Hub repo, file name without its quant, synthetic by shape", () => {
        const base = { sha256: "", sizeBytes: 1, path: "", arch: "llama", parameters: 25_000_000 };
        expect(modelFamily({ ...base, source: "hf", repo: "Qwen/Q-GGUF", file: "q-q4_k_m.gguf", quant: "Q4_K_M" }, "x").name).toBe("Qwen/Q-GGUF");
        expect(modelFamily({ ...base, source: "path", file: "synthetic-llama-25m-q4_k_m.gguf", quant: "Q4_K_M" }, "x").name).toBe("synthetic-llama-25m");
        expect(modelFamily({ ...base, source: "synthetic", file: "small-q8_0-s1-g1.gguf", quant: "Q8_0" }, "x")).toMatchObject({ name: "synthetic llama 25M", synthetic: true });
        expect(modelFamily(null, "broken config")).toMatchObject({ name: "broken config", quant: "?" });
    });
});

describe("history relative to the first run", () => {
    it("expresses each config's figures as a percentage of its own first run", () => {
        const r = (id: string) => ({ id }) as never;
        const h = { suite: "s", machineName: "m", metric: "decodeTps", prompt: "p", points: [
            { series: "a", run: r("1"), config: {} as never, median: 10, sd: 0 }, { series: "b", run: r("1"), config: {} as never, median: 40, sd: 0 },
            { series: "a", run: r("2"), config: {} as never, median: 9, sd: 0 }, { series: "b", run: r("2"), config: {} as never, median: 44, sd: 0 }
        ] };
        expect(relativeToFirst(h).map((p) => [p.series, Number(p.percent.toFixed(9))])).toEqual([["a", 100], ["b", 100], ["a", 90], ["b", 110]]);
    });
});
