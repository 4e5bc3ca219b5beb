/**
 * `db import` / `db rebuild`: the database as a cache of the run files. Round trip, idempotence and every refusal,
 * each refusal leaving the database as it was.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigRecord, RunRecord } from "../../runner/results.ts";
import { applyImport, planImport, runFilePaths } from "../../runner/store/importRuns.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { writeRunFile } from "../../runner/store/writeRunFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

const projectRoot = new URL("../..", import.meta.url).pathname;
const schema1 = new URL("./fixtures/schema1-run.json", import.meta.url).pathname;
const options = { baseDir, homeDir };

/** A run recorded as bench records it: the run, then each config in its own transaction. */
function record(store: Store, run: RunRecord, configs: ConfigRecord[]) {
    store.createRun(run);
    for (const config of configs) store.saveConfig(run.id, config);
}

/** Every row a run leaves, in a stable order: the samples view, the RSS samples, token times, configs and the run (JSON columns parsed). */
function dump(store: Store) {
    const json = new Set(["machine", "model", "params", "asked", "outputs", "warnings", "token_times_ms"]);
    const all = (sql: string) => (store.db.prepare(sql).all() as Record<string, unknown>[]).map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key, json.has(key) && typeof value === "string" ? JSON.parse(value) : value])));
    return {
        samples: all("SELECT * FROM samples ORDER BY run_id, config_id, prompt, rep, metric"),
        rss: all("SELECT run_id, config_id, seq, t_ms, bytes, phase FROM rss_samples ORDER BY run_id, config_id, seq"),
        tokenTimes: all("SELECT run_id, config_id, kind, prompt, rep, token_times_ms FROM measurements ORDER BY run_id, config_id, prompt, rep"),
        configs: all(`SELECT run_id, id, position, label, status, error, model, params, asked, load_ms, peak_rss_bytes, vram_bytes, outputs,
                      warnings, stderr, started_at, finished_at, start_ms, warmup_ms FROM configs ORDER BY run_id, position`),
        runs: all(`SELECT id, suite_name, suite_sha256, started_at, finished_at, status, git_commit, git_dirty, machine, shard_index, shard_count
                   FROM runs ORDER BY id`)
    };
}

async function importFiles(store: Store, paths: string[]) {
    const plan = await planImport(paths, store, options);
    applyImport(store, plan);
    return plan;
}

const run2 = (): RunRecord => ({ ...makeRun(), id: "20250103-000000-qwen-quants-beef", shard: { index: 2, count: 3 } });

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "gguf-bench-import-")); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe("round trip: database A → run file → database B", () => {
    it("gives back every row of the samples view, every RSS sample and every token time", async () => {
        const a = Store.open(":memory:");
        const failed: ConfigRecord = { ...makeConfig("c3"), status: "crashed", error: "killed by SIGKILL", measurements: [], outputs: {}, warnings: [],
            loadMs: null, warmupMs: null, peakRssBytes: null, vramBytes: null, rssTimeline: [{ t: 1, bytes: 2, phase: "load" }], stderr: "GGML_ASSERT" };
        record(a, makeRun(), [makeConfig("c1"), makeConfig("c2"), failed]);
        record(a, run2(), [makeConfig("c1")]);
        const runsDir = join(dir, "runs");
        for (const id of a.runIds()) {
            const { run, configs } = a.getRun(id)!;
            await writeRunFile(runsDir, run, configs, options);
        }

        const b = Store.open(":memory:");
        const plan = await importFiles(b, runFilePaths([runsDir]));
        expect(plan.add).toHaveLength(2);
        const [rowsA, rowsB] = [dump(a), dump(b)];
        expect(rowsA.samples.length).toBe(3 * (3 * 3 + 2)); // three ok configs: 3 reps × 3 metrics + tg128 × 2
        expect(rowsA.rss.length).toBe(2 + 2 + 1 + 2);
        // file paths were made portable on the way out; everything else is the same row for row
        expect({ ...rowsB, configs: [] }).toEqual({ ...rowsA, configs: [] });
        const withoutPath = (rows: Record<string, unknown>[]) => rows.map((row) => ({ ...row, model: row.model == null ? null : { ...row.model as object, path: "" } }));
        expect(withoutPath(rowsB.configs)).toEqual(withoutPath(rowsA.configs));
        expect((rowsB.configs[0]!.model as { path: string }).path).toBe("~/.cache/huggingface/hub/models--Qwen/q4_k_m.gguf");
        // and B writes the very same files
        for (const id of b.runIds()) {
            const { run, configs } = b.getRun(id)!;
            expect(runFileText(toRunFile(run, configs, options))).toBe(readFileSync(join(runsDir, `${id}.json`), "utf8"));
        }
        a.close();
        b.close();
    });
});

describe("import", () => {
    it("is idempotent: the same files twice, or a run bench already recorded, change nothing", async () => {
        const store = Store.open(join(dir, "bench.db"));
        record(store, makeRun(), [makeConfig("c1")]);
        const file = await writeRunFile(join(dir, "runs"), makeRun(), store.getRun(makeRun().id)!.configs, options);
        const second = await writeRunFile(join(dir, "runs"), run2(), [makeConfig("c1")], options);
        const before = dump(store);

        const first = await importFiles(store, [file]);
        expect([first.add.length, first.same.length]).toEqual([0, 1]);
        expect(dump(store)).toEqual(before);

        expect((await importFiles(store, [second, second, file])).add).toHaveLength(1);
        const after = dump(store);
        expect((await importFiles(store, runFilePaths([join(dir, "runs")]))).add).toHaveLength(0);
        expect(dump(store)).toEqual(after);
        expect(store.runSource(run2().id)).toBe(second);
        expect(store.runSource(makeRun().id)).toBeNull();
        store.close();
    });

    it("imports a schema-1 file (the records it has), and knows it again next time", async () => {
        const store = Store.open(":memory:");
        expect((await importFiles(store, [schema1])).add).toHaveLength(1);
        const raw = JSON.parse(readFileSync(schema1, "utf8"));
        const { configs } = store.getRun(raw.run.id)!;
        expect(configs[0]!.measurements.map((m) => m.metrics)).toEqual(raw.configs[0].measurements.map((m: { metrics: object }) => m.metrics));
        expect((await importFiles(store, [schema1])).same).toHaveLength(1);
        store.close();
    });

    it("treats a schema-1 file and the complete record of the same run as the same run", async () => {
        const store = Store.open(":memory:");
        record(store, makeRun(), [makeConfig("c1")]);
        // what the schema-1 writer made of this run: no token times, RSS, stderr or config times; warnings as text
        const v1 = JSON.parse(runFileText(toRunFile(makeRun(), [makeConfig("c1")], options)));
        v1.schema = 1;
        delete v1.run.shard;
        for (const c of v1.configs) {
            for (const key of ["startedAt", "finishedAt", "rssTimeline", "stderr"]) delete c[key];
            for (const m of c.measurements) delete m.tokenTimesMs;
            c.warnings = ["explain.decodeTps varies 17 % (sd/mean): close other programs, or raise `repetitions`", "llama.cpp: n_ctx < n_ctx_train"];
            c.summary = {};
        }
        writeFileSync(join(dir, "v1.json"), JSON.stringify(v1, null, 2));
        expect((await importFiles(store, [join(dir, "v1.json")])).same).toHaveLength(1);
        store.close();
    });
});

describe("import refuses, naming the file, and leaves the database as it was", () => {
    let store: Store;
    let good: string;
    beforeEach(async () => {
        store = Store.open(join(dir, "bench.db"));
        record(store, makeRun(), [makeConfig("c1")]);
        good = await writeRunFile(join(dir, "good"), run2(), [makeConfig("c1")], options);
    });
    afterEach(() => store.close());

    async function refused(paths: string[], message: RegExp) {
        const before = dump(store);
        await expect(planImport(paths, store, options)).rejects.toThrow(message);
        expect(dump(store)).toEqual(before);
    }
    const write = (name: string, text: string) => {
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
    };

    it("a malformed, truncated or hand-edited file among good ones: nothing is imported", async () => {
        const text = readFileSync(good, "utf8");
        await refused([good, write("cut.json", text.slice(0, text.length / 2))], /cut\.json: not a run file: invalid JSON/);
        const edited = JSON.parse(text);
        edited.configs[0].measurements[1].metrics.decodeTps = 99;
        await refused([good, write("edited.json", JSON.stringify(edited))], /edited\.json: configs\[0\]\.summary\.explain\.decodeTps\.mean: expected .* \(recomputed from the measurements\)/);
        await refused([write("notes.json", "{}")], /notes\.json: schema: expected 1 or 2, got nothing|notes\.json: .*schema/);
        expect(store.getRun(run2().id)).toBeNull();
    });

    it("the same run id with other content, in the database or in two files, naming both sources", async () => {
        const other = JSON.parse(runFileText(toRunFile(makeRun(), [makeConfig("c1")], options)));
        other.configs[0].label = "renamed";
        await refused([write("conflict.json", JSON.stringify(other))], /conflict\.json: run 20250102-030405-qwen-quants-abcd is already in the database with other content \(recorded there by bench\)/);
        mkdirSync(join(dir, "copy"));
        const copy = join(dir, "copy", "x.json");
        const changed = JSON.parse(readFileSync(good, "utf8"));
        changed.run.status = "interrupted";
        writeFileSync(copy, JSON.stringify(changed));
        await refused([good, copy], new RegExp(`x\\.json: run ${run2().id} is also in .*good/${run2().id}\\.json, with other content`));
    });

    it("a path that is not there", () => {
        expect(() => runFilePaths([join(dir, "nope")])).toThrow(/nope: no such run file or folder/);
    });
});

describe("npm run db (the command, as a user runs it)", () => {
    const run = (...args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "db", ...args], { cwd: projectRoot })
        .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error);

    it("imports a folder, then refuses a bad file with exit 2 and one line, creating no database", async () => {
        const runs = join(dir, "runs");
        mkdirSync(runs);
        copyFileSync(schema1, join(runs, "a.json"));
        await writeRunFile(runs, run2(), [makeConfig("c1")], options);
        const db = join(dir, "bench.db");
        const ok = await run("import", runs, "--db", db);
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stdout).toMatch(/^imported 2 run\(s\) \(2 config\(s\)\) into /);
        const again = await run("import", runs, "--db", db);
        expect(again.stdout).toMatch(/imported 0 run\(s\) .*; 2 already there with the same content/);

        const shown = await run("show", join(runs, "a.json"), "--format", "md");
        expect(shown.code, shown.stderr).toBe(0);
        expect(shown.stdout.split("\n")[0]).toMatch(/^\*\*run 20261129-192753-default-0b29 of default · /);
        const latest = await run("show", "--db", db);
        expect(latest.stdout).toMatch(/^run 20261129-192753-default-0b29 of default .*\nconfig +prompt\/test/);

        writeFileSync(join(runs, "b.json"), "{\"schema\": 2, \"run\": ");
        const bad = await run("import", runs, "--db", join(dir, "other.db"));
        expect(bad.code).toBe(2);
        expect(bad.stderr.trim().split("\n")).toHaveLength(1);
        expect(bad.stderr).toMatch(/b\.json: not a run file: invalid JSON/);
        expect(existsSync(join(dir, "other.db"))).toBe(false);
    });

    it("rebuild makes a fresh database from the files: a run without a file is gone, and a bad file changes nothing", async () => {
        const db = join(dir, "bench.db");
        const store = Store.open(db);
        record(store, makeRun(), [makeConfig("c1")]);
        store.close();
        const runs = join(dir, "runs");
        await writeRunFile(runs, run2(), [makeConfig("c1")], options);

        const rebuilt = await run("rebuild", runs, "--db", db);
        expect(rebuilt.code, rebuilt.stderr).toBe(0);
        expect(rebuilt.stderr).toMatch(/1 run\(s\) of the old database had no run file/);
        const after = Store.open(db);
        expect(after.runIds()).toEqual([run2().id]);
        after.close();

        writeFileSync(join(runs, "zz.json"), "not json");
        const bad = await run("rebuild", runs, "--db", db);
        expect(bad.code).toBe(2);
        const still = Store.open(db);
        expect(still.runIds()).toEqual([run2().id]);
        still.close();
    });
});
