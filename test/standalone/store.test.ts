import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import type { QualityRecord, ConfigRecord, RunRecord } from "../../runner/results.ts";
import { openDatabase, schemaVersion } from "../../runner/store/db.ts";
import { migrations } from "../../runner/store/migrations.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

function makeRun(id: string, startedAt = "2025-01-02T03:04:05.000Z"): RunRecord {
    return {
        id,
        suite: { name: "qwen-quants", path: "/repo/suites/qwen.yaml", sha256: "ab".repeat(32) },
        startedAt,
        finishedAt: null,
        status: "running",
        git: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: false },
        machine: {
            os: "linux 6.8", arch: "x64", cpu: "Test CPU", cores: 2, memoryBytes: 8 * 2 ** 30,
            node: "v20.19.0", nodeLlamaCpp: "3.22.1", llamaCpp: "b6000", backend: "cpu", gpus: []
        },
        shard: null
    };
}

/** An ok config: explain × 3 reps (decodeTps 10, 12, 14 → mean 12, sd 2) and tg128 × 2 reps. */
function makeConfig(id: string, overrides: Partial<ConfigRecord> = {}): ConfigRecord {
    return {
        id,
        label: `tiny Q8_0 ${id}`,
        status: "ok",
        error: null,
        model: {
            source: "synthetic", file: "tiny-q8_0.gguf", path: "/cache/tiny-q8_0.gguf", sha256: "cd".repeat(32),
            sizeBytes: 1_234_567, quant: "Q8_0", arch: "llama", parameters: 25_000_000
        },
        params: { ...defaultSettings, threads: 1 },
        engine: { build: "prebuilt", llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : AVX2 = 1 |", features: ["backend:CPU", "AVX2"] },
        startMs: 1100.25,
        loadMs: 123.5,
        warmupMs: 330.5,
        peakRssBytes: 200_000_000,
        vramBytes: null,
        measurements: [
            { kind: "prompt", prompt: "explain", rep: 0, metrics: { decodeTps: 10, e2eMs: 1000, genTokens: 128 }, tokenTimesMs: [50.25, 60.5, 70.75] },
            { kind: "prompt", prompt: "explain", rep: 1, metrics: { decodeTps: 12, e2eMs: 1010, genTokens: 128 }, tokenTimesMs: [51, 61, 71] },
            { kind: "prompt", prompt: "explain", rep: 2, metrics: { decodeTps: 14, e2eMs: 990, genTokens: 128 }, tokenTimesMs: [49, 59, 69] },
            { kind: "tg", prompt: "tg128", rep: 0, metrics: { decodeTps: 50 } },
            { kind: "tg", prompt: "tg128", rep: 1, metrics: { decodeTps: 54 } }
        ],
        summary: {},
        quality: null,
        outputs: { explain: "Quantum computers use qubits…" },
        rssTimeline: [
            { t: 0, bytes: 50_000_000, phase: "load" },
            { t: 100.5, bytes: 190_000_000, phase: "decode" },
            { t: 200, bytes: 200_000_000, phase: "unload" }
        ],
        warnings: [{ kind: "highVariance", prompt: "explain", metric: "decodeTps", variation: 1 / 6 }],
        startedAt: "2025-01-02T03:04:06.000Z",
        finishedAt: "2025-01-02T03:04:16.000Z",
        ...overrides
    };
}

/** A top-K quality pass of three scored positions against a reference. */
function makeQuality(): QualityRecord {
    return {
        corpus: { path: "/repo/corpora/sample.txt", sha256: "ef".repeat(32) },
        context: 128, chunks: 1, corpusTokens: 300,
        reference: { name: "F16", file: "tiny-f16.gguf", sha256: "12".repeat(32), topK: 64, cacheKey: "k".repeat(32), cacheBytes: 4096, computeMs: 321.5 },
        ms: 1234.5, peakRssBytes: 210_000_000,
        positions: {
            token: [5, 6, 7], nll: [1.25, 2.5, 0.75], top1: [5, 9, 7],
            nllRef: [1.0, 2.25, 0.5], top1Ref: [5, 6, 7], kld: [0.01, 0.125, 0.0], tailRef: [0.02, 0.5, 0.0]
        }
    };
}

function count(store: Store, table: string): number {
    return store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

describe("Store on :memory:", () => {
    let store: Store;
    beforeEach(() => { store = Store.open(":memory:"); });
    afterEach(() => { store.close(); });

    it("round-trips a run and its configs, recomputing each summary from the raw samples", () => {
        const run = makeRun("r1");
        const a = makeConfig("a");
        const b = makeConfig("b", { status: "crashed", error: "child exited with SIGSEGV", model: null, engine: null, startMs: 900, loadMs: null, warmupMs: null,
            peakRssBytes: null, measurements: [], outputs: {}, rssTimeline: [], warnings: [], stderr: "ggml_abort: …" });
        store.createRun(run);
        store.saveConfig("r1", a);
        store.saveConfig("r1", b);

        const got = store.getRun("r1");
        expect(got).not.toBeNull();
        expect(got!.run).toEqual(run);
        expect(got!.configs).toEqual([
            {
                ...a,
                summary: {
                    explain: {
                        // 10, 12, 14: mean 12, sd √((4+0+4)/2) = 2
                        decodeTps: { n: 3, mean: 12, sd: 2, median: 12, min: 10, max: 14 },
                        // 1000, 1010, 990: mean 1000, sd √((0+100+100)/2) = 10, median 1000
                        e2eMs: { n: 3, mean: 1000, sd: 10, median: 1000, min: 990, max: 1010 },
                        genTokens: { n: 3, mean: 128, sd: 0, median: 128, min: 128, max: 128 }
                    },
                    // 50, 54: mean 52, sd √8
                    tg128: { decodeTps: { n: 2, mean: 52, sd: expect.closeTo(Math.sqrt(8), 12), median: 52, min: 50, max: 54 } }
                }
            },
            { ...b, summary: {} }
        ]);
        // optional fields stay absent rather than becoming null
        expect("tokenTimesMs" in got!.configs[0]!.measurements[3]!).toBe(false);
        expect("stderr" in got!.configs[0]!).toBe(false);
    });

    it("stores each metric value as one raw-sample row", () => {
        store.createRun(makeRun("r1"));
        store.saveConfig("r1", makeConfig("a"));
        // 3 explain reps × 3 metrics + 2 tg reps × 1 metric
        expect(count(store, "metrics")).toBe(11);
        expect(store.db.prepare("SELECT value FROM samples WHERE prompt = 'explain' AND metric = 'decodeTps' ORDER BY rep")
            .pluck().all()).toEqual([10, 12, 14]);
        expect(count(store, "rss_samples")).toBe(3);
    });

    it("saves nothing of a config whose transaction fails part-way (NaN metric in the last measurement)", () => {
        store.createRun(makeRun("r1"));
        const broken = makeConfig("a");
        broken.measurements[4]!.metrics.decodeTps = Number.NaN;
        expect(() => store.saveConfig("r1", broken)).toThrow(/NOT NULL/);
        expect(store.configStatuses("r1").size).toBe(0);
        for (const table of ["configs", "measurements", "metrics", "rss_samples"]) expect(count(store, table)).toBe(0);
    });

    it("refuses ±Infinity and a repeated (prompt, rep), keeping the previous save of that config intact", () => {
        store.createRun(makeRun("r1"));
        store.saveConfig("r1", makeConfig("a"));
        const before = store.getRun("r1");

        const infinite = makeConfig("a", { status: "failed" });
        infinite.measurements[2]!.metrics.e2eMs = Number.POSITIVE_INFINITY;
        expect(() => store.saveConfig("r1", infinite)).toThrow(/CHECK/);

        const duplicate = makeConfig("a", { status: "failed" });
        duplicate.measurements.push({ ...duplicate.measurements[0]! });
        expect(() => store.saveConfig("r1", duplicate)).toThrow(/UNIQUE/);

        expect(store.getRun("r1")).toEqual(before);
        expect(count(store, "metrics")).toBe(11);
    });

    it("replaces a config saved again (resume) and keeps its place in the run", () => {
        store.createRun(makeRun("r1"));
        store.saveConfig("r1", makeConfig("a", { status: "timeout", error: "timed out after 900 s" }));
        store.saveConfig("r1", makeConfig("b"));
        expect(store.configStatuses("r1")).toEqual(new Map([["a", "timeout"], ["b", "ok"]]));

        const retried = makeConfig("a", { measurements: [{ kind: "tg", prompt: "tg128", rep: 0, metrics: { decodeTps: 60 } }], rssTimeline: [] });
        store.saveConfig("r1", retried);

        const got = store.getRun("r1")!;
        expect(got.configs.map((c) => [c.id, c.status])).toEqual([["a", "ok"], ["b", "ok"]]);
        expect(got.configs[0]!.measurements).toEqual(retried.measurements);
        expect(got.configs[0]!.summary).toEqual({ tg128: { decodeTps: { n: 1, mean: 60, sd: 0, median: 60, min: 60, max: 60 } } });
        // old rows are gone: b's 11 metrics + a's 1; b's 3 rss samples only
        expect(count(store, "metrics")).toBe(12);
        expect(count(store, "rss_samples")).toBe(3);
    });

    it("refuses a config of an unknown run (foreign keys are on)", () => {
        expect(() => store.saveConfig("nope", makeConfig("a"))).toThrow(/FOREIGN KEY/);
    });

    it("finds the latest run by start time, through latestRunId and the `latest` alias", () => {
        expect(store.latestRunId()).toBeNull();
        expect(store.getRun("latest")).toBeNull();
        store.createRun(makeRun("late", "2025-03-01T00:00:00.000Z"));
        store.createRun(makeRun("early", "2025-02-01T00:00:00.000Z"));
        expect(store.latestRunId()).toBe("late");
        expect(store.getRun("latest")!.run.id).toBe("late");
        expect(store.getRun("missing")).toBeNull();
    });

    it("finishes a run and refuses to finish an unknown one", () => {
        store.createRun(makeRun("r1"));
        store.finishRun("r1", "completed", "2025-01-02T04:00:00.000Z");
        expect(store.getRun("r1")!.run).toMatchObject({ status: "completed", finishedAt: "2025-01-02T04:00:00.000Z" });
        expect(() => store.finishRun("nope", "completed", "2025-01-02T04:00:00.000Z")).toThrow(/No run `nope`/);
    });

    it("refuses a second run with the same id", () => {
        store.createRun(makeRun("r1"));
        expect(() => store.createRun(makeRun("r1"))).toThrow(/UNIQUE/);
    });

    it("deletes a run's configs, measurements, samples, rss samples and quality passes with it", () => {
        store.createRun(makeRun("r1"));
        store.saveConfig("r1", makeConfig("a", { quality: makeQuality() }));
        store.db.prepare("DELETE FROM runs WHERE id = 'r1'").run();
        for (const table of ["configs", "measurements", "metrics", "rss_samples", "quality", "quality_positions"]) expect(count(store, table)).toBe(0);
    });

    it("round-trips a quality pass: one raw-sample row per scored position, figures recomputed from them", () => {
        store.createRun(makeRun("r1"));
        const quality = makeQuality();
        store.saveConfig("r1", makeConfig("a", { quality, rssTimeline: [{ t: 5, bytes: 10, phase: "quality" }] }));
        store.saveConfig("r1", makeConfig("b"));
        expect(count(store, "quality_positions")).toBe(3);
        const [a, b] = store.getRun("r1")!.configs;
        expect(a!.quality).toEqual(quality);
        expect(a!.rssTimeline[0]!.phase).toBe("quality");
        expect(b!.quality).toBeNull();
        // saved again (resume): replaced, not doubled
        store.saveConfig("r1", makeConfig("a", { quality }));
        expect(count(store, "quality_positions")).toBe(3);
    });

    it("keeps a perplexity-only pass without reference columns", () => {
        store.createRun(makeRun("r1"));
        const quality = { ...makeQuality(), reference: null, positions: { token: [5, 6], nll: [1.5, 2.5], top1: [5, 7] } };
        store.saveConfig("r1", makeConfig("a", { quality }));
        expect(store.getRun("r1")!.configs[0]!.quality).toEqual(quality);
    });
});

describe("openDatabase on a file", () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "gguf-bench-store-")); });
    afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

    it("creates the parent folder, uses WAL and foreign keys, and migrates to the latest version once", () => {
        const path = join(dir, "nested", "results", "bench.db");
        const db = openDatabase(path);
        expect(schemaVersion(db)).toBe(migrations.length);
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
        expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
        expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
        const store = new Store(db);
        store.createRun(makeRun("r1"));
        store.saveConfig("r1", makeConfig("a"));
        store.close();

        // reopening applies nothing again and keeps the data
        const again = Store.open(path);
        expect(schemaVersion(again.db)).toBe(migrations.length);
        expect(again.getRun("r1")!.configs).toHaveLength(1);
        again.close();
    });

    it("migrates a version-1 database in place: its configs keep their data and read back with no start or warm-up time", () => {
        const path = join(dir, "bench.db");
        const raw = new Database(path);
        raw.exec(migrations[0]!);
        raw.pragma("user_version = 1");
        raw.prepare(`INSERT INTO runs (id, suite_name, suite_path, suite_sha256, started_at, status, machine)
                     VALUES ('old', 'default', 'suites/default.yaml', 'ab', '2026-11-24T00:00:00.000Z', 'completed', '{}')`).run();
        raw.prepare(`INSERT INTO configs (run_id, id, position, label, status, params, load_ms, outputs, warnings, started_at, finished_at)
                     VALUES ('old', 'c1', 0, 'tiny', 'ok', '{}', 12.5, '{}', '["explain.decodeTps varies 17 %"]', '2026-11-24T00:00:00.000Z', '2026-11-24T00:00:01.000Z')`).run();
        raw.prepare("INSERT INTO rss_samples (run_id, config_id, seq, t_ms, bytes, phase) VALUES ('old', 'c1', 0, 1.5, 4096, 'decode')").run();
        raw.close();

        const store = Store.open(path);
        expect(schemaVersion(store.db)).toBe(migrations.length);
        const config = store.getRun("old")!.configs[0]!;
        expect(config).toMatchObject({ id: "c1", loadMs: 12.5, startMs: null, warmupMs: null, quality: null });
        // the RSS samples survive the rebuild of their table (migration 5 widens its phase check)
        expect(config.rssTimeline).toEqual([{ t: 1.5, bytes: 4096, phase: "decode" }]);
        // warnings stored as text before they were typed read back as notes
        expect(config.warnings).toEqual([{ kind: "note", text: "explain.decodeTps varies 17 %" }]);
        // and new saves carry both
        store.saveConfig("old", makeConfig("c2"));
        expect(store.getRun("old")!.configs[1]).toMatchObject({ startMs: 1100.25, warmupMs: 330.5 });
        store.close();
    });

    it("migrates a version-2 database to nullable config times without losing a row, and cascades still work", () => {
        const path = join(dir, "bench.db");
        const raw = new Database(path);
        raw.exec(migrations[0]!);
        raw.exec(migrations[1]!);
        raw.pragma("user_version = 2");
        raw.close();
        // rows as gguf-bench wrote them at version 2
        const v2 = new Database(path);
        v2.prepare(`INSERT INTO runs (id, suite_name, suite_path, suite_sha256, started_at, status, machine)
                    VALUES ('r', 'default', 'suites/default.yaml', 'ab', '2026-11-24T00:00:00.000Z', 'completed', '{}')`).run();
        v2.prepare(`INSERT INTO configs (run_id, id, position, label, status, params, outputs, warnings, started_at, finished_at, start_ms)
                    VALUES ('r', 'c1', 0, 'tiny', 'ok', '{}', '{}', '[]', '2026-11-24T00:00:00.000Z', '2026-11-24T00:00:01.000Z', 900)`).run();
        const { lastInsertRowid } = v2.prepare("INSERT INTO measurements (run_id, config_id, kind, prompt, rep, token_times_ms) VALUES ('r', 'c1', 'prompt', 'p', 0, '[1,2]')").run();
        v2.prepare("INSERT INTO metrics (measurement_id, name, value) VALUES (?, 'e2eMs', 5)").run(lastInsertRowid);
        v2.prepare("INSERT INTO rss_samples (run_id, config_id, seq, t_ms, bytes, phase) VALUES ('r', 'c1', 0, 0, 100, 'load')").run();
        v2.close();

        const store = Store.open(path);
        expect(schemaVersion(store.db)).toBe(migrations.length);
        const { configs } = store.getRun("r")!;
        expect(configs[0]).toMatchObject({ startMs: 900, startedAt: "2026-11-24T00:00:00.000Z", rssTimeline: [{ t: 0, bytes: 100, phase: "load" }] });
        expect(configs[0]!.measurements).toEqual([{ kind: "prompt", prompt: "p", rep: 0, metrics: { e2eMs: 5 }, tokenTimesMs: [1, 2] }]);
        expect(store.db.prepare("SELECT count(*) FROM samples").pluck().get()).toBe(1);
        // a config of unknown start and end (from a schema-1 run file) can be stored now
        store.saveConfig("r", makeConfig("c2", { startedAt: null, finishedAt: null }));
        expect(store.getRun("r")!.configs[1]).toMatchObject({ startedAt: null, finishedAt: null });
        // the rebuilt table still cascades: deleting the run deletes every row below it
        store.db.prepare("DELETE FROM runs WHERE id = 'r'").run();
        for (const table of ["configs", "measurements", "metrics", "rss_samples"]) expect(count(store, table), table).toBe(0);
        expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
        store.close();
    });

    it("refuses a database made by a newer gguf-bench, naming both versions", () => {
        const path = join(dir, "bench.db");
        openDatabase(path).close();
        const raw = new Database(path);
        raw.pragma(`user_version = ${migrations.length + 1}`);
        raw.close();
        expect(() => openDatabase(path)).toThrow(InputError);
        expect(() => openDatabase(path)).toThrow(new RegExp(`version ${migrations.length + 1} is newer .*\\(${migrations.length}\\)`));
        expect(() => openDatabase(path, { readonly: true })).toThrow(/newer/);
    });

    it("opens readonly for reading and refuses writes", () => {
        const path = join(dir, "bench.db");
        const writer = Store.open(path);
        writer.createRun(makeRun("r1"));
        writer.saveConfig("r1", makeConfig("a"));
        writer.close();

        const reader = Store.open(path, { readonly: true });
        expect(reader.getRun("latest")!.configs[0]!.summary.explain!.decodeTps!.mean).toBe(12);
        expect(() => reader.createRun(makeRun("r2"))).toThrow(/readonly/);
        expect(() => reader.saveConfig("r1", makeConfig("b"))).toThrow(/readonly/);
        reader.close();
    });

    it("readonly neither creates a missing database nor its folder", () => {
        expect(() => openDatabase(join(dir, "missing", "bench.db"), { readonly: true })).toThrow();
        expect(existsSync(join(dir, "missing"))).toBe(false);
        expect(() => openDatabase(join(dir, "bench.db"), { readonly: true })).toThrow();
        expect(existsSync(join(dir, "bench.db"))).toBe(false);
    });
});

describe("two processes opening one new database at once", () => {
    it("each migrates what the other has not: no `table already exists`", async () => {
        const dir = mkdtempSync(join(tmpdir(), "gguf-bench-race-"));
        try {
            const path = join(dir, "bench.db");
            const child = fileURLToPath(new URL("./fixtures/openDatabaseChild.ts", import.meta.url));
            // several rounds: the race is between two processes reading user_version 0 before either writes
            for (let round = 0; round < 5; round++) {
                rmSync(path, { force: true });
                rmSync(`${path}-wal`, { force: true });
                rmSync(`${path}-shm`, { force: true });
                const runs = [0, 1, 2].map(() => new Promise<string>((resolve) => {
                    const p = fork(child, [path], { execArgv: ["--import", "tsx"] });
                    p.once("message", (message) => resolve(String(message)));
                }));
                expect(await Promise.all(runs)).toEqual(["ok", "ok", "ok"]);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }, 60_000);
});
