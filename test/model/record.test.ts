/**
 * The run files as the record, on real runs: the database rebuilt from a run file equals the one bench wrote, compare
 * sees a known real difference between two runs (flagged, right direction, right exit code), and the shards of a
 * suite land side by side and partition it.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Comparison } from "../../runner/compare/compareSides.ts";
import { killLeftovers, onlyRunFile, runBench, runCli, runFileNames, suiteYaml } from "./cliHarness.ts";
import { testModels } from "./testModels.ts";

const models = await testModels();
const quick = { warmup: 1, repetitions: 3, context: 512, threads: 1, maxTokens: 16 };
const prompts = [{ id: "chat", text: "Tell me a story about a cat." }, { id: "story", kind: "completion", text: "Once upon a time" }];

let work: string;
beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "gguf-bench-record-"));
});
afterAll(async () => {
    killLeftovers();
    if (work != null) await rm(work, { recursive: true, force: true });
});

async function suiteFile(name: string, suite: object): Promise<string> {
    const file = path.join(work, `${name}.yaml`);
    await writeFile(file, suiteYaml({ name, ...suite }));
    return file;
}

/** Every row a run leaves in a database, JSON columns parsed, paths aside (a run file makes them portable). */
function rows(dbPath: string) {
    const db = new Database(dbPath, { readonly: true });
    try {
        const all = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
        return {
            samples: all("SELECT * FROM samples ORDER BY run_id, config_id, prompt, rep, metric"),
            rss: all("SELECT run_id, config_id, seq, t_ms, bytes, phase FROM rss_samples ORDER BY run_id, config_id, seq"),
            tokenTimes: all("SELECT config_id, prompt, rep, token_times_ms FROM measurements ORDER BY config_id, prompt, rep")
                .map((row) => ({ ...row, token_times_ms: row.token_times_ms == null ? null : JSON.parse(row.token_times_ms as string) as number[] })),
            configs: all("SELECT id, position, status, params, asked, warnings, outputs, stderr, start_ms, load_ms, warmup_ms, peak_rss_bytes, started_at, finished_at FROM configs ORDER BY position")
                .map((row) => ({ ...row, params: JSON.parse(row.params as string), asked: JSON.parse(row.asked as string), warnings: JSON.parse(row.warnings as string), outputs: JSON.parse(row.outputs as string) }))
        };
    } finally {
        db.close();
    }
}

describe("run files as the record", () => {
    test("a real run → database A → run file → database B: every sample, RSS sample and token time equal", async () => {
        const suite = await suiteFile("record-roundtrip", {
            defaults: quick, models: [{ path: models.tiny.path }], matrix: { mode: ["stream", "batch"] }, prompts, tests: [{ pp: 32 }, { tg: 8 }]
        });
        const dbA = path.join(work, "a.db");
        const results = path.join(work, "roundtrip-runs");
        const ran = await runBench([suite, "--db", dbA, "--results", results]);
        expect(ran.code, ran.stderr).toBe(0);
        const dbB = path.join(work, "b.db");
        const imported = await runCli("db", ["import", results, "--db", dbB]);
        expect(imported.code, imported.stderr).toBe(0);

        const [a, b] = [rows(dbA), rows(dbB)];
        expect(a.samples.length).toBeGreaterThan(50);
        expect(a.rss.length).toBeGreaterThan(4);
        expect(a.tokenTimes.filter((row) => row.token_times_ms != null).length).toBe(2 * 3); // stream mode: 2 prompts × 3 reps
        expect(b).toEqual(a);
        // importing again changes nothing
        const again = await runCli("db", ["import", results, "--db", dbB]);
        expect(again.stdout).toMatch(/imported 0 run\(s\) .*; 1 already there with the same content/);
        expect(rows(dbB)).toEqual(a);
    });

    test("compare: a model 25 to 100 times larger decodes slower, flagged as a regression (exit 1), and the other way round as an improvement (exit 0)", async () => {
        // 8 repetitions, not quick's 3: with 3 a side Welch's interval has 2 to 4 degrees of freedom, and one rep slowed
        // by a busy VM (seen in a clean-clone CI run on synthetic models) widened it across the 5 % line
        const settings = { defaults: { ...quick, repetitions: 8 }, prompts: [prompts[1]!], tests: [{ tg: 32 }] };
        const small = path.join(work, "small-runs");
        const large = path.join(work, "large-runs");
        for (const [name, model, results] of [["record-tiny", models.tiny, small], ["record-small", models.small, large]] as const) {
            const ran = await runBench([await suiteFile(name, { ...settings, models: [{ path: model.path }] }), "--db", path.join(work, `${name}.db`), "--results", results]);
            expect(ran.code, ran.stderr).toBe(0);
        }
        const [smallFile, largeFile] = [path.join(small, runFileNames(small)[0]!), path.join(large, runFileNames(large)[0]!)];

        const slower = await runCli("compare", [smallFile, largeFile, "--match", "order", "--format", "json"]);
        expect(slower.code, slower.stderr).toBe(1);
        const c = JSON.parse(slower.stdout) as Comparison;
        const tg = c.rows.find((r) => r.item === "tg32" && r.metric === "decodeTps")!;
        expect(tg.verdict, JSON.stringify(tg)).toBe("regression");
        expect(tg.high!).toBeLessThan(0.95);
        expect(c.rows.find((r) => r.item === "story" && r.metric === "e2eMs")!.verdict).toBe("regression");
        expect(c.pairedDifferences[0]!.differences[0]).toMatch(/^model: /);
        // nothing got faster by switching to the larger model
        expect(c.rows.filter((r) => r.verdict === "improvement")).toEqual([]);

        const faster = await runCli("compare", [largeFile, smallFile, "--match", "order", "--format", "md"]);
        expect(faster.code, faster.stderr).toBe(0);
        expect(faster.stdout.split("\n")[0]).toMatch(/^\*\*gguf-bench: no regression beyond 5 %\*\*, \d+ improvements?$/);
    });

    test("bench --shard: the parts land side by side and together hold every config once; import takes them all", async () => {
        const suite = await suiteFile("record-shards", {
            defaults: { ...quick, repetitions: 1, warmup: 0 }, models: [{ path: models.tiny.path }],
            matrix: { mode: ["stream", "batch"], maxTokens: [4, 8] }, prompts: [prompts[1]!]
        });
        const results = path.join(work, "shard-runs");
        await mkdir(results, { recursive: true });
        const db = path.join(work, "shards.db");
        for (const shard of ["1/3", "2/3", "3/3"]) {
            const ran = await runBench([suite, "--shard", shard, "--db", db, "--results", results]);
            expect(ran.code, ran.stderr).toBe(0);
        }
        const names = await readdir(results);
        expect(names).toHaveLength(3);
        expect(names.map((name) => /-s(\d)of3-/.exec(name)?.[1]).sort()).toEqual(["1", "2", "3"]);
        const dry = await runBench([suite, "--dry-run"]);
        const planned = [...dry.stdout.matchAll(/\b([0-9a-f]{12})\b/g)].map((m) => m[1]!);
        expect(planned).toHaveLength(4);
        const measured = [];
        for (const name of names) {
            const dir = path.join(work, `one-${name}`);
            await mkdir(dir);
            await copyFile(path.join(results, name), path.join(dir, name));
            measured.push(...onlyRunFile(dir).configs.map((c) => c.id));
        }
        expect(measured.sort()).toEqual([...planned].sort());
        const fresh = path.join(work, "shards-fresh.db");
        const imported = await runCli("db", ["import", results, "--db", fresh]);
        expect(imported.stdout).toMatch(/^imported 3 run\(s\) \(4 config\(s\)\)/);
    });
});
