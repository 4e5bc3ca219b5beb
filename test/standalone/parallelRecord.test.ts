import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { parallelLevelMetrics } from "../../runner/stats/metrics.ts";
import type { ConfigRecord, Measurement } from "../../runner/results.ts";
import { migrations } from "../../runner/store/migrations.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { fromRunFile, toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import type { ParallelTest } from "../../runner/suite/types.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

const test: ParallelTest = { id: "par:pp4+tg2", sequences: [1, 2, 4], prompt: 4, gen: 2, shared: false, rise: 0.1, itlP90Ms: 5 };

/** A level repetition whose metrics are computed from its token times, as the child computes them. */
function level(sequences: number, rep: number, gapMs: number): Measurement {
    const sequenceTimesMs = Array.from({ length: sequences }, (_, i) => [10 + i, 10 + sequences + gapMs, 10 + sequences + 2 * gapMs]);
    return {
        kind: "parallel", prompt: `np${sequences}:pp4+tg2`, rep, sequenceTimesMs,
        metrics: { ...parallelLevelMetrics({ sequenceTimesMs, prompt: 4, gen: 2 }), kvCells: 6 * sequences, levelRssBytes: 1e8 * sequences }
    };
}

function parallelConfig(): ConfigRecord {
    const config = makeConfig("par");
    config.measurements = [...config.measurements, level(1, 0, 2), level(1, 1, 2), level(2, 0, 3), level(2, 1, 3), level(4, 0, 6), level(4, 1, 6)];
    config.parallel = [test];
    return config;
}

describe("parallelLevelMetrics", () => {
    it("derives S_PP, S_TG, S, TTFT and pooled ITL from the sequences' token times", () => {
        // two sequences of prompt 4, gen 2: first tokens at 8 and 10 ms, then decodes
        const metrics = parallelLevelMetrics({ sequenceTimesMs: [[8, 14, 20], [10, 15, 30]], prompt: 4, gen: 2 });
        expect(metrics).toMatchObject({ sequences: 2, promptTokens: 4, genTokens: 2, ppMs: 10, tgMs: 20, pgMs: 30, ttftMs: 9 });
        expect(metrics.prefillTps).toBeCloseTo((2 * 4) / 10 * 1000, 9);
        expect(metrics.decodeTps).toBeCloseTo((2 * 2) / 20 * 1000, 9);
        expect(metrics.pgTps).toBeCloseTo((2 * 6) / 30 * 1000, 9);
        // gaps 6, 6, 5, 15 → sorted 5, 6, 6, 15
        expect(metrics.itlP50Ms).toBe(6);
        expect(metrics.itlP90Ms).toBeCloseTo(15 - 0.3 * 9, 9);
    });

    it("counts a shared prompt once: it was evaluated once and copied, as llama-batched-bench's -pps counts it", () => {
        const times = [[8, 14, 20], [10, 15, 30]];
        const shared = parallelLevelMetrics({ sequenceTimesMs: times, prompt: 4, gen: 2, shared: true });
        const own = parallelLevelMetrics({ sequenceTimesMs: times, prompt: 4, gen: 2 });
        expect(shared.prefillTps).toBeCloseTo(4 / 10 * 1000, 9);
        expect(shared.pgTps).toBeCloseTo((4 + 2 * 2) / 30 * 1000, 9);
        // decode and latency do not depend on how the prompt got into the cells
        expect({ ...shared, prefillTps: 0, pgTps: 0 }).toEqual({ ...own, prefillTps: 0, pgTps: 0 });
    });
});

describe("a config with parallel tests, stored", () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "gguf-bench-parallel-")); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("reads back from the database as saved: every sequence's token times and the tests as asked", () => {
        const store = Store.open(":memory:");
        store.createRun(makeRun());
        store.saveConfig(makeRun().id, parallelConfig());
        store.saveConfig(makeRun().id, makeConfig("plain"));
        const [config, plain] = store.getRun(makeRun().id)!.configs;
        expect(config!.parallel).toEqual([test]);
        expect(config!.measurements.filter((m) => m.kind === "parallel")).toEqual(parallelConfig().measurements.filter((m) => m.kind === "parallel"));
        expect(plain).not.toHaveProperty("parallel");
        expect(plain!.measurements.every((m) => m.sequenceTimesMs === undefined)).toBe(true);
        store.close();
    });

    it("migrates a version-5 database: its measurements keep their ids and metrics, and parallel ones can be saved", () => {
        const path = join(dir, "bench.db");
        const raw = new Database(path);
        for (const migration of migrations.slice(0, 5)) raw.exec(migration);
        raw.pragma("user_version = 5");
        raw.prepare(`INSERT INTO runs (id, suite_name, suite_path, suite_sha256, started_at, status, machine)
                     VALUES ('r', 'default', 'suites/default.yaml', 'ab', '2026-11-24T00:00:00.000Z', 'completed', '{}')`).run();
        raw.prepare(`INSERT INTO configs (run_id, id, position, label, status, params, outputs, warnings, started_at, finished_at)
                     VALUES ('r', 'c1', 0, 'tiny', 'ok', '{}', '{}', '[]', '2026-11-24T00:00:00.000Z', '2026-11-24T00:00:01.000Z')`).run();
        raw.prepare("INSERT INTO measurements (id, run_id, config_id, kind, prompt, rep, token_times_ms) VALUES (7, 'r', 'c1', 'prompt', 'p', 0, '[1,2]')").run();
        raw.prepare("INSERT INTO metrics (measurement_id, name, value) VALUES (7, 'decodeTps', 42)").run();
        expect(() => raw.prepare("INSERT INTO measurements (run_id, config_id, kind, prompt, rep) VALUES ('r', 'c1', 'parallel', 'np2', 0)").run()).toThrow(/CHECK/);
        raw.close();

        const store = Store.open(path);
        expect(store.getRun("r")!.configs[0]!.measurements).toEqual([{ kind: "prompt", prompt: "p", rep: 0, metrics: { decodeTps: 42 }, tokenTimesMs: [1, 2] }]);
        store.saveConfig("r", parallelConfig());
        expect(store.getRun("r")!.configs[1]!.measurements.filter((m) => m.kind === "parallel")).toHaveLength(6);
        // the cascade still reaches the rebuilt table's metrics
        store.db.prepare("DELETE FROM configs WHERE run_id = 'r'").run();
        expect(store.db.prepare("SELECT count(*) FROM metrics").pluck().get()).toBe(0);
        store.close();
    });
});

describe("the run file of a config with parallel tests", () => {
    const text = runFileText(toRunFile(makeRun(), [parallelConfig(), makeConfig("plain")], { baseDir, homeDir }));
    const edited = (edit: (file: any) => void) => {
        const file = JSON.parse(text);
        edit(file);
        return JSON.stringify(file);
    };

    it("holds the knee derived from the levels, and reads back to the same records and bytes", () => {
        const file = JSON.parse(text);
        // S_TG: level 1 = 1·2/(2·2) ms, level 2 = 2·2/6, level 4 = 4·2/12: 500, 666.7, 666.7 tok/s; ITL p90 2, 3, 6 ms
        expect(file.configs[0].parallel).toEqual([{ ...test, knee: 2, stillRising: false, overBudget: 4 }]);
        expect(file.configs[1]).not.toHaveProperty("parallel");
        expect(file.configs[1].measurements[0]).not.toHaveProperty("sequenceTimesMs");
        const read = parseRunFile(text, "run.json");
        expect(read.ignored).toEqual([]);
        expect(runFileText(toRunFile(makeRun(), fromRunFile(read.file).configs, { baseDir, homeDir }))).toBe(text);
        expect(fromRunFile(read.file).configs[0]!.parallel).toEqual([test]);
    });

    it("refuses a knee edited by hand, and sequence times out of order, naming the place", () => {
        expect(() => parseRunFile(edited((f) => { f.configs[0].parallel[0].knee = 4; }), "run.json"))
            .toThrow(new InputError("run.json: configs[0].parallel[0].knee: expected 2 (recomputed from the measurements), got 4: the file no longer agrees with itself (edited by hand?)"));
        const at = JSON.parse(text).configs[0].measurements.findIndex((m: { kind: string }) => m.kind === "parallel");
        expect(() => parseRunFile(edited((f) => { f.configs[0].measurements[at].sequenceTimesMs[0][2] = 1; }), "run.json"))
            .toThrow(`run.json: configs[0].measurements[${at}].sequenceTimesMs[0][2]: expected token times in order, got 1 after 13`);
    });

    it("reads a file written before parallel tests existed (no `parallel`, no `sequenceTimesMs`) as having none", () => {
        const plain = runFileText(toRunFile(makeRun(), [makeConfig("plain")], { baseDir, homeDir }));
        const read = parseRunFile(plain, "old.json");
        expect(read.ignored).toEqual([]);
        expect(fromRunFile(read.file).configs[0]).not.toHaveProperty("parallel");
    });
});
