/**
 * The `bench` command end to end, as a user runs it: a separate process, real GGUF files (../shared/models when
 * present, else synthetic stand-ins: see testModels.ts), the run file and the database it leaves behind, exit codes,
 * signals, --resume, the Hub path (against a fake Hub on loopback).
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { formatBytes } from "../../runner/format/bytes.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { refusedEndpoint, startFakeHub, type FakeHub } from "../standalone/fakeHub.ts";
import {
    expectDbMatchesRunFile, isAlive, killLeftovers, onlyRunFile, runBench, runFileNames, sleep,
    startBench, suiteYaml, waitForNewMeasureChild, type RunFileConfig
} from "./cliHarness.ts";
import { escapeRegExp, testModels } from "./testModels.ts";

const models = await testModels();
/** stories260K.gguf, else synthetic tiny F32. */
const stories = models.tiny.path;
/** synthetic-llama-25m-q4_k_m.gguf, else synthetic small Q4_0. */
const q4km = models.small.path;
/** synthetic-llama-25m-q2_k.gguf, else synthetic small Q8_0. */
const q2k = models.smallAlt.path;
const storiesName = path.basename(stories);
const q4kmName = path.basename(q4km);
const q2kName = path.basename(q2k);

const streamPromptMetrics = [
    "promptTokens", "genTokens", "ttftMs", "prefillMs", "prefillTps", "decodeMs", "decodeTps",
    "itlP50Ms", "itlP90Ms", "itlP99Ms", "e2eMs", "engineDecodeTps", "enginePrefillTps"
] as const;

/** Small, quick settings: one thread, short answers, small context. */
const quick = { warmup: 1, context: 512, threads: 1, maxTokens: 16 };
const prompts = [
    { id: "chat", text: "Tell me a story about a cat." },
    { id: "story", kind: "completion", text: "Once upon a time" }
];

let work: string;
beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "gguf-bench-cli-"));
});
afterAll(async () => {
    killLeftovers();
    if (work != null) await rm(work, { recursive: true, force: true });
});

/** A fresh folder with its own database, results folder and model cache, and the suite written into it. */
async function scenario(name: string, suite?: object) {
    const dir = path.join(work, name);
    await mkdir(dir, { recursive: true });
    const suitePath = path.join(dir, "suite.yaml");
    if (suite != null) await writeFile(suitePath, suiteYaml(suite));
    return {
        dir,
        suitePath,
        db: path.join(dir, "bench.db"),
        results: path.join(dir, "runs"),
        cache: path.join(dir, "cache"),
        /** `--db` and `--results` for this scenario. */
        get storeArgs() {
            return ["--db", this.db, "--results", this.results];
        },
        get env() {
            return { GGUF_BENCH_CACHE: this.cache };
        }
    };
}

function expectFiniteMetrics(config: RunFileConfig, m: RunFileConfig["measurements"][number], names: readonly string[]) {
    for (const name of names) {
        const where = `${config.label} ${m.prompt} rep ${m.rep} ${name}`;
        expect(m.metrics, where).toHaveProperty(name);
        expect(Number.isFinite(m.metrics[name]), `${where} = ${m.metrics[name]}`).toBe(true);
    }
}

describe(`bench on ${models.real ? "real" : "synthetic"} models`, () => {
    test("a suite of two models × stream/batch × two prompts + pp64/tg16: every metric present, plausible, and the same in SQLite", async () => {
        const s = await scenario("full", {
            name: "cli-full",
            defaults: { ...quick, repetitions: 3 },
            models: [{ path: q4km }, { path: stories }],
            matrix: { mode: ["stream", "batch"] },
            prompts,
            tests: [{ pp: 64 }, { tg: 16 }]
        });
        const result = await runBench([s.suitePath, ...s.storeArgs], s.env);
        expect(result.code, result.stderr).toBe(0);

        const run = onlyRunFile(s.results);
        expect(run.schema).toBe(2);
        expect(run.run.status).toBe("completed");
        expect(run.run.finishedAt).not.toBeNull();
        expect(run.configs.map((c) => [path.basename(c.model!.path), c.params.mode])).toEqual([
            [q4kmName, "stream"], [q4kmName, "batch"],
            [storiesName, "stream"], [storiesName, "batch"]
        ]);

        for (const config of run.configs) {
            expect(config.status, `${config.label}: ${config.error}`).toBe("ok");
            expect(config.error).toBeNull();
            const fileSize = statSync(config.model!.path).size;
            expect(config.model!.sizeBytes).toBe(fileSize);
            expect(config.params.threads).toBe(1);
            expect(config.loadMs!).toBeGreaterThan(0);
            // the whole file is mapped and read while loading on CPU: a child's high-water mark is above it
            expect(config.peakRssBytes!).toBeGreaterThan(fileSize);

            // 2 prompts + 2 tests, 3 repetitions each, warm-ups not recorded
            expect(config.measurements.map((m) => `${m.kind}:${m.prompt}#${m.rep}`).sort()).toEqual([
                "pp:pp64#0", "pp:pp64#1", "pp:pp64#2", "prompt:chat#0", "prompt:chat#1", "prompt:chat#2",
                "prompt:story#0", "prompt:story#1", "prompt:story#2", "tg:tg16#0", "tg:tg16#1", "tg:tg16#2"
            ]);
            for (const m of config.measurements) {
                const x = m.metrics;
                if (m.kind === "prompt") {
                    if (config.params.mode === "stream") {
                        expectFiniteMetrics(config, m, streamPromptMetrics);
                        expect(x.ttftMs!).toBeGreaterThan(0);
                        expect(x.ttftMs!).toBeLessThanOrEqual(x.e2eMs!);
                        expect(x.prefillMs!).toBeLessThanOrEqual(x.ttftMs!);
                        expect(x.decodeMs!).toBeLessThanOrEqual(x.e2eMs!);
                        expect(x.itlP50Ms!).toBeLessThanOrEqual(x.itlP90Ms!);
                        expect(x.itlP90Ms!).toBeLessThanOrEqual(x.itlP99Ms!);
                        expect(x.genTokens!).toBeGreaterThanOrEqual(2); // ITL and decodeTps need two tokens
                    } else {
                        expectFiniteMetrics(config, m, ["e2eMs", "genTokens", "promptTokens"]);
                        // batch mode does not timestamp tokens
                        expect(x).not.toHaveProperty("ttftMs");
                        expect(x).not.toHaveProperty("itlP50Ms");
                        expect(x.genTokens!).toBeGreaterThanOrEqual(1);
                    }
                    expect(x.e2eMs!).toBeGreaterThan(0);
                    expect(x.promptTokens!).toBeGreaterThan(0);
                    expect(x.genTokens!).toBeLessThanOrEqual(quick.maxTokens);
                    expect(Number.isInteger(x.genTokens)).toBe(true);
                } else if (m.kind === "pp") {
                    expectFiniteMetrics(config, m, ["promptTokens", "prefillTps"]);
                    expect(x.promptTokens).toBe(64);
                    expect(x.prefillTps!).toBeGreaterThan(0);
                } else {
                    expect(m.kind).toBe("tg");
                    expectFiniteMetrics(config, m, ["genTokens", "decodeTps"]);
                    expect(x.genTokens).toBe(16);
                    expect(x.decodeTps!).toBeGreaterThan(0);
                }
            }
            expect(config.summary.chat?.e2eMs?.n).toBe(3);
            expect(Object.keys(config.outputs).sort()).toEqual(["chat", "story"]);
        }
        // a trained model continues a story with real text (random weights give no such promise)
        if (models.real) expect(run.configs[2]!.outputs.story!.trim().length).toBeGreaterThan(0);
        // the prompt's tokens do not depend on the mode
        const promptTokens = (config: RunFileConfig) => config.measurements.filter((m) => m.kind === "prompt").map((m) => m.metrics.promptTokens);
        expect(promptTokens(run.configs[0]!)).toEqual(promptTokens(run.configs[1]!));

        expectDbMatchesRunFile(s.db, run);
    });

    test("the run file and the database record what ran beside what was asked; config ids keep meaning what was asked", async () => {
        const s = await scenario("recorded-settings", {
            name: "cli-recorded",
            defaults: { ...quick, repetitions: 1, warmup: 0, maxTokens: 8, batch: 512 },
            models: [{ path: stories }],
            matrix: { context: [128, 512] },
            prompts: [prompts[1]]
        });
        const result = await runBench([s.suitePath, ...s.storeArgs], s.env);
        expect(result.code, result.stderr).toBe(0);
        const run = onlyRunFile(s.results);
        const [small, large] = run.configs;
        // node-llama-cpp runs a context of 128 as 256 cells, and llama.cpp never uses a batch beyond the context
        expect(small!.params).toMatchObject({ context: 256, batch: 128, threads: 1 });
        expect(small!.asked).toEqual({ context: 128, batch: 512, gpuLayers: "max", threadsBatch: "auto", gpu: "auto" });
        expect(large!.params).toMatchObject({ context: 512, batch: 512 });
        expect(large!.asked).toEqual({ gpuLayers: "max", threadsBatch: "auto", gpu: "auto" });
        // the ids are those the plan gives the asked settings, so a later run of the same suite matches them
        expect(run.configs.map((c) => c.id)).toEqual(planConfigs(parseSuite(s.suitePath)).map((c) => c.id));
        const db = new Database(s.db, { readonly: true });
        const rows = db.prepare("SELECT params, asked FROM configs ORDER BY position").all() as { params: string; asked: string }[];
        db.close();
        expect(rows.map((row) => [JSON.parse(row.params).context, JSON.parse(row.asked).context])).toEqual([[256, 128], [512, undefined]]);
    });

    test("two bench processes on one database at once: both runs complete, and SQLite's integrity check passes", async () => {
        const s = await scenario("two-at-once", {
            name: "cli-two", defaults: { ...quick, repetitions: 2, warmup: 0, maxTokens: 8 }, models: [{ path: stories }], prompts
        });
        const [a, b] = await Promise.all([runBench([s.suitePath, ...s.storeArgs], s.env), runBench([s.suitePath, ...s.storeArgs], s.env)]);
        expect(a.code, a.stderr).toBe(0);
        expect(b.code, b.stderr).toBe(0);
        const db = new Database(s.db, { readonly: true });
        try {
            expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
            const runs = db.prepare("SELECT status FROM runs").pluck().all();
            expect(runs).toEqual(["completed", "completed"]);
            expect(db.prepare("SELECT count(*) FROM measurements").pluck().get()).toBe(2 * 2 * 2); // 2 runs × 2 prompts × 2 reps
        } finally {
            db.close();
        }
        expect(runFileNames(s.results)).toHaveLength(2);
    });

    test("SIGKILL of a measure child: that config is `crashed` naming SIGKILL, the others run, exit 1", async () => {
        const s = await scenario("sigkill", {
            name: "cli-sigkill",
            defaults: { ...quick, maxTokens: 32, repetitions: 5 },
            models: [{ path: q4km }, { path: stories }, { path: q2k }],
            prompts,
            tests: [{ pp: 64 }, { tg: 16 }]
        });
        const cli = startBench([s.suitePath, ...s.storeArgs], s.env);
        const seen = new Set<number>();
        const first = await waitForNewMeasureChild(cli, seen);
        seen.add(first);
        await sleep(1000);
        expect(isAlive(first), "the first config's child still runs after 1 s").toBe(true);
        process.kill(first, "SIGKILL");
        // the next configs each get a child of their own
        while (seen.size < 3) {
            const pid = await waitForNewMeasureChild(cli, seen).catch(() => undefined);
            if (pid == null) break;
            seen.add(pid);
        }
        const result = await cli.done;
        expect(result.code, result.stderr).toBe(1);
        expect(seen.size, "one child per config").toBe(3);

        const run = onlyRunFile(s.results);
        expect(run.run.status).toBe("completed");
        expect(run.configs.map((c) => c.status)).toEqual(["crashed", "ok", "ok"]);
        const crashed = run.configs[0]!;
        expect(path.basename(crashed.model!.path)).toBe(path.basename(q4km));
        expect(crashed.error).toMatch(/SIGKILL/);
        expect(crashed.measurements).toEqual([]);
        for (const config of run.configs.slice(1)) {
            expect(config.measurements.length).toBe(4 * 5);
            expect(config.error).toBeNull();
        }
        expect(result.stderr).toMatch(/crashed/);
        expectDbMatchesRunFile(s.db, run);
    });

    test("SIGINT during the 2nd of 3 configs: exit 130, run saved `interrupted`; --resume latest finishes it", async () => {
        const s = await scenario("sigint", {
            name: "cli-sigint",
            defaults: { ...quick, repetitions: 3 },
            models: [{ path: stories }, { path: q4km }, { path: q2k }],
            prompts,
            tests: [{ tg: 16 }]
        });
        const cli = startBench([s.suitePath, ...s.storeArgs], s.env);
        const seen = new Set<number>();
        seen.add(await waitForNewMeasureChild(cli, seen));
        const second = await waitForNewMeasureChild(cli, seen);
        await sleep(300);
        expect(isAlive(second)).toBe(true);
        process.kill(cli.pid, "SIGINT");
        const interrupted = await cli.done;
        expect(interrupted.code, interrupted.stderr).toBe(130);
        expect(interrupted.stderr).toMatch(/--resume/);
        expect(isAlive(second), "the interrupted config's child is gone").toBe(false);

        const partial = onlyRunFile(s.results);
        expect(partial.run.status).toBe("interrupted");
        expect(partial.configs).toHaveLength(1);
        expect(partial.configs[0]!.status).toBe("ok");
        expect(path.basename(partial.configs[0]!.model!.path)).toBe(storiesName);
        expectDbMatchesRunFile(s.db, partial);

        const resumed = await runBench(["--resume", "latest", ...s.storeArgs], s.env);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stderr).toMatch(/2 config\(s\) missing of 3/);
        const run = onlyRunFile(s.results);
        expect(run.run.id).toBe(partial.run.id);
        expect(run.run.startedAt).toBe(partial.run.startedAt);
        expect(run.run.status).toBe("completed");
        expect(run.configs.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
        expect(new Set(run.configs.map((c) => c.id)).size).toBe(3);
        expect(run.configs.map((c) => path.basename(c.model!.path))).toEqual([storiesName, q4kmName, q2kName]);
        // the first config was not run again: its numbers are the ones saved before the interruption
        expect(run.configs[0]).toEqual(partial.configs[0]);
        expectDbMatchesRunFile(s.db, run);
    });

    test("Ctrl-C in a terminal (SIGINT to the whole process group, children included): the running config is not recorded as crashed", async () => {
        const s = await scenario("sigint-group", {
            name: "cli-sigint-group",
            defaults: { ...quick, repetitions: 3 },
            models: [{ path: stories }, { path: q4km }],
            prompts,
            tests: [{ tg: 16 }]
        });
        const cli = startBench([s.suitePath, ...s.storeArgs], s.env, { ownGroup: true });
        const seen = new Set<number>();
        seen.add(await waitForNewMeasureChild(cli, seen));
        const second = await waitForNewMeasureChild(cli, seen);
        await sleep(300);
        process.kill(-cli.pid, "SIGINT");
        const result = await cli.done;
        expect(result.code, result.stderr).toBe(130);
        expect(isAlive(second)).toBe(false);
        const partial = onlyRunFile(s.results);
        expect(partial.run.status).toBe("interrupted");
        // the config the child died in is missing (so --resume runs it), not saved as `crashed: killed by SIGINT`
        expect(partial.configs.map((c) => [path.basename(c.model!.path), c.status])).toEqual([[storiesName, "ok"]]);
        expectDbMatchesRunFile(s.db, partial);
    });

    test("a model truncated inside its tensor data fails with llama.cpp's reason; the good model still runs", async () => {
        const s = await scenario("truncated");
        // truncated-q4_k_m.gguf (real), truncated-q4_0.gguf (synthetic)
        const brokenName = `truncated-${models.small.quant.toLowerCase()}.gguf`;
        const broken = path.join(s.dir, brokenName);
        await copyFile(q4km, broken);
        const handle = await open(broken, "r+");
        // inside the last tensor (output.weight: ≥ 200 KB in the real and the synthetic 25M models)
        await handle.truncate(statSync(q4km).size - 100_000);
        await handle.close();
        await writeFile(s.suitePath, suiteYaml({
            name: "cli-truncated",
            defaults: { ...quick, repetitions: 1 },
            models: [{ path: broken }, { path: stories }],
            prompts
        }));

        const result = await runBench([s.suitePath, ...s.storeArgs], s.env);
        expect(result.code, result.stderr).toBe(1);
        const run = onlyRunFile(s.results);
        expect(run.run.status).toBe("completed");
        const [bad, good] = run.configs;
        expect(bad!.status).toBe("failed");
        // the header is intact, so the model is described; llama.cpp refuses the tensor data
        expect(bad!.model!.quant).toBe(models.small.quant); // Q4_K_M for the real file
        expect(bad!.error).toMatch(/not within the file bounds|corrupted or incomplete/);
        expect(bad!.error).not.toMatch(/\n/);
        expect(good!.status).toBe("ok");
        // the summary table keeps its columns and prints the whole reason under it
        expect(result.stdout).toMatch(new RegExp(`^${escapeRegExp(brokenName)}\\s+failed$`, "m"));
        expect(result.stdout).toContain(`${brokenName}: failed: ${bad!.error}`);
        expectDbMatchesRunFile(s.db, run);
    });

    test("--dry-run prints every config with its model size and a memory estimate, and creates no database", async () => {
        const s = await scenario("dry-run", {
            name: "cli-dry-run",
            defaults: { ...quick, repetitions: 1 },
            models: [{ path: q4km }, { path: stories }],
            matrix: { mode: ["stream", "batch"] },
            prompts
        });
        const result = await runBench([s.suitePath, "--dry-run", ...s.storeArgs], s.env);
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.split("\n");
        for (const [file, mode] of [[q4km, "stream"], [q4km, "batch"], [stories, "stream"], [stories, "batch"]] as const) {
            const label = `${path.basename(file)} ${mode}`;
            const line = lines.find((candidate) => candidate.startsWith(label));
            expect(line, `a row for ${label} in\n${result.stdout}`).toBeDefined();
            const cells = line!.slice(label.length).trim().split(/\s{2,}/);
            // id, model file, size, est. RAM, est. VRAM, est. peak RSS, plan
            expect(cells).toHaveLength(7);
            expect(cells[0]).toMatch(/^[0-9a-f]{12}$/);
            expect(cells[1]).toBe(path.basename(file));
            expect(cells[2]).toBe(formatBytes(statSync(file).size));
            expect(cells[3]).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB)$/);
            expect(cells[3]).not.toBe("0 B");
            // the runtime measured in a probe child comes on top of the file's estimate
            expect(cells[5]).toMatch(/^\d+(\.\d)? (MiB|GiB)$/);
            expect(cells[6]).toBe("run");
        }
        expect(result.stdout).toMatch(/est\. peak RSS adds \d+(\.\d)? MiB, measured just now in a child/);
        expect(result.stdout).toMatch(/4 config\(s\); nothing was run or stored/);
        expect(existsSync(s.db)).toBe(false);
        expect(existsSync(s.results)).toBe(false);
    });

    test("--dry-run estimates a config with parallel tests at its largest level that fits, and names the levels that will be skipped", async () => {
        const s = await scenario("dry-run-parallel", {
            name: "cli-dry-run-parallel",
            defaults: { ...quick, repetitions: 1 },
            models: [{ path: q4km }],
            // 256 sequences (the most a level may ask) of 131072 cells: about 384 GiB of KV cache on this model
            matrix: { context: [131072] },
            tests: [{ parallel: { sequences: [1, 4], prompt: 64, gen: 32 } }, { parallel: { sequences: [2, 256], prompt: 16, gen: 8 } }]
        });
        const single = await scenario("dry-run-single", { name: "cli-dry-run-single", defaults: { ...quick, repetitions: 1 }, models: [{ path: q4km }], matrix: { context: [131072] }, tests: [{ pp: 64 }] });
        const rowOf = async (suitePath: string, storeArgs: string[], env: NodeJS.ProcessEnv) => {
            const result = await runBench([suitePath, "--dry-run", ...storeArgs], env);
            expect(result.code, result.stderr).toBe(0);
            const line = result.stdout.split("\n").find((candidate) => candidate.startsWith(path.basename(q4km)));
            expect(line, result.stdout).toBeDefined();
            // label, id, model file, size, est. RAM, est. VRAM, est. peak RSS, plan
            return { cells: line!.split(/\s{2,}/), stdout: result.stdout };
        };
        const parallel = await rowOf(s.suitePath, s.storeArgs, s.env);
        const one = await rowOf(single.suitePath, single.storeArgs, single.env);
        // walking up 1, 2, 4, 256 as the child will: 4 fits, 256 does not
        expect(parallel.cells.at(-1)).toMatch(/^run, parallel up to 4 sequences; levels 256 skip: 256 sequences \(the model and a context of 256 × 131072 cells\) needs ~\S+ \S+ (RAM|VRAM)/);
        // the estimate is the model and a context of 4 sequences, more than of one
        const bytes = (cell: string) => {
            const [value, unit] = cell.split(" ");
            return Number(value) * 1024 ** ["B", "KiB", "MiB", "GiB"].indexOf(unit!);
        };
        expect(bytes(parallel.cells[4]!)).toBeGreaterThan(bytes(one.cells[4]!));
        expect(one.cells.at(-1)).toBe("run");
        expect(parallel.stdout).toMatch(/estimated at its largest level that fits/);
    });

    test("ad-hoc --model/--prompt streams the answer to stdout, then prints the metrics table", async () => {
        const s = await scenario("adhoc");
        const cli = startBench(["--model", stories, "--prompt", "Once upon a time", "--max-tokens", "32", "--threads", "1", ...s.storeArgs], s.env);
        const result = await cli.done;
        expect(result.code, result.stderr).toBe(0);

        const tableAt = result.stdout.search(/^config\s+prompt\/test\s+status/m);
        expect(tableAt, result.stdout).toBeGreaterThan(0);
        const text = result.stdout.slice(0, tableAt).replace(/\n$/, "");
        expect(text.trim().length).toBeGreaterThan(0);
        // the text came in pieces before the table, not all at the end
        const firstTableChunk = result.stdoutChunks.findIndex((chunk) => /prompt\/test/.test(chunk));
        expect(firstTableChunk).toBeGreaterThan(0);
        const table = result.stdout.slice(tableAt);
        expect(table).toMatch(new RegExp(`^${escapeRegExp(storiesName)}\\s+prompt\\s+ok\\s`, "m"));

        // what was streamed is the answer the database recorded; ad-hoc runs write no run file
        const db = new Database(s.db, { readonly: true, fileMustExist: true });
        try {
            const rows = db.prepare("SELECT c.status, c.outputs, r.status AS run_status FROM configs c JOIN runs r ON r.id = c.run_id").all() as
                { status: string; outputs: string; run_status: string }[];
            expect(rows).toHaveLength(1);
            expect(rows[0]!.status).toBe("ok");
            expect(rows[0]!.run_status).toBe("completed");
            expect(JSON.parse(rows[0]!.outputs).prompt).toBe(text);
            const genTokens = db.prepare("SELECT value FROM metrics WHERE name = 'genTokens'").pluck().all() as number[];
            expect(genTokens).toHaveLength(1);
            expect(genTokens[0]).toBeLessThanOrEqual(32);
        } finally {
            db.close();
        }
        expect(runFileNames(s.results)).toEqual([]);
    });
});

describe("invalid input: exit 2, one line naming the problem, nothing created", () => {
    async function expectRejected(args: string[], s: Awaited<ReturnType<typeof scenario>>, pattern: RegExp) {
        const result = await runBench([...args, ...s.storeArgs], s.env);
        expect(result.code, result.stderr).toBe(2);
        const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(pattern);
        expect(result.stdout).toBe("");
        for (const suffix of ["", "-wal", "-shm"]) expect(existsSync(s.db + suffix), `${s.db}${suffix}`).toBe(false);
        expect(existsSync(s.results)).toBe(false);
        return lines[0]!;
    }

    test("a bad value in the suite: file:line:col and the key", async () => {
        const s = await scenario("invalid-value");
        await writeFile(s.suitePath, [
            "name: invalid",
            "defaults:",
            "  context: 512",
            "  repetitions: -3",
            "models:",
            "  - synthetic: { preset: tiny, quant: Q8_0 }",
            "prompts:",
            "  - id: a",
            "    text: hi",
            ""
        ].join("\n"));
        const line = await expectRejected([s.suitePath], s, /defaults\.repetitions/);
        expect(line).toContain(`${s.suitePath}:4:16`);
    });

    test("an unknown key in the suite: file:line:col and the key", async () => {
        const s = await scenario("invalid-key");
        await writeFile(s.suitePath, [
            "name: invalid",
            "defaults:",
            "  contxt: 512",
            "models:",
            "  - synthetic: { preset: tiny, quant: Q8_0 }",
            "prompts:",
            "  - id: a",
            "    text: hi",
            ""
        ].join("\n"));
        const line = await expectRejected([s.suitePath], s, /contxt/);
        expect(line).toMatch(new RegExp(`${s.suitePath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+`));
    });

    test("an unknown flag", async () => {
        const s = await scenario("invalid-flag");
        await expectRejected(["suites/default.yaml", "--no-such-flag"], s, /--no-such-flag/);
    });

    test("--resume with no database", async () => {
        const s = await scenario("invalid-resume");
        await expectRejected(["--resume", "latest"], s, /--resume/);
    });
});

/** Bytes that really run (stories260K.gguf, else synthetic tiny F32), served under the Qwen file names. */
const qwenRepo = "Qwen/Qwen2.5-1.5B-Instruct-GGUF";
const qwenQuants = ["q3_k_m", "q4_k_m", "q5_k_m", "q8_0"];

describe("suites/qwen-quants.yaml through the Hugging Face Hub (fake Hub on loopback)", () => {
    let hub: FakeHub;
    let storiesBytes: Buffer;
    beforeAll(async () => {
        storiesBytes = await readFile(stories);
        hub = await startFakeHub({
            repos: {
                [qwenRepo]: {
                    files: [
                        { path: "README.md", content: Buffer.from("# Qwen2.5 1.5B Instruct GGUF (fake)") },
                        ...qwenQuants.map((quant) => ({ path: `qwen2.5-1.5b-instruct-${quant}.gguf`, content: storiesBytes }))
                    ]
                }
            }
        });
    });
    afterAll(() => hub?.close());

    test("resolves the quant, downloads it into the HF cache layout, runs it; a second run downloads nothing", async () => {
        const s = await scenario("qwen");
        const env = { ...s.env, HF_ENDPOINT: hub.endpoint };
        // one quant, one mode: the suite's own settings (context 2048, 128 tokens, threads auto) stay as they are
        const args = ["suites/qwen-quants.yaml", "--repetitions", "1", "--filter", "Q4_K_M stream", ...s.storeArgs];
        const file = "qwen2.5-1.5b-instruct-q4_k_m.gguf";
        const fileGets = () => hub.requests.filter((r) => r.method === "GET" && (r.server === "cdn" || r.url.endsWith(`/${file}`)));

        const first = await runBench(args, env);
        expect(first.code, first.stderr).toBe(0);
        expect(fileGets().length, "the file was downloaded").toBeGreaterThan(0);
        expect(hub.requests.some((r) => r.url.includes("q3_k_m") || r.url.includes("q8_0")), "only the filtered quant is fetched").toBe(false);

        // the standard Hub cache layout under GGUF_BENCH_CACHE: snapshot → blob named by its sha256
        const storage = path.join(s.cache, "models--Qwen--Qwen2.5-1.5B-Instruct-GGUF");
        const commit = hub.commitOf(qwenRepo);
        expect(readFileSync(path.join(storage, "refs", "main"), "utf8")).toBe(commit);
        const snapshot = path.join(storage, "snapshots", commit, file);
        expect(lstatSync(snapshot).isSymbolicLink()).toBe(true);
        const sha = createHash("sha256").update(storiesBytes).digest("hex");
        expect(realpathSync(snapshot)).toBe(realpathSync(path.join(storage, "blobs", sha)));
        expect(readFileSync(snapshot).equals(storiesBytes)).toBe(true);
        expect(readdirSync(path.join(storage, "blobs")).filter((name) => name.endsWith(".incomplete"))).toEqual([]);

        const run = onlyRunFile(s.results);
        expect(run.run.suite.path).toBe("suites/qwen-quants.yaml");
        expect(run.configs.map((c) => c.label)).toEqual([`${qwenRepo} Q4_K_M stream`]);
        for (const config of run.configs) {
            expect(config.status, `${config.label}: ${config.error}`).toBe("ok");
            expect(config.model).toMatchObject({ source: "hf", repo: qwenRepo, file, sha256: sha, sizeBytes: storiesBytes.length });
            expect(config.params.repetitions).toBe(1);
            // the suite's prompts and tests, one repetition each
            expect(config.measurements.map((m) => m.prompt).sort()).toEqual(["explain", "pp512", "story", "tg128"]);
        }
        expectDbMatchesRunFile(s.db, run);

        hub.requests.length = 0;
        const second = await runBench(args, env);
        expect(second.code, second.stderr).toBe(0);
        expect(fileGets(), "no GET of the model the second time").toEqual([]);
        expect(runFileNames(s.results)).toHaveLength(2);
    }, 600_000);

    test("a quant the repo lacks: exit 2 naming the quants that exist, nothing created", async () => {
        const s = await scenario("qwen-missing-quant");
        const suite = (await readFile(path.resolve("suites/qwen-quants.yaml"), "utf8")).replace("Q8_0]", "Q6_K]");
        expect(suite).toContain("Q6_K]");
        await writeFile(s.suitePath, suite);
        const result = await runBench([s.suitePath, "--repetitions", "1", ...s.storeArgs], { ...s.env, HF_ENDPOINT: hub.endpoint });
        expect(result.code, result.stderr).toBe(2);
        const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(qwenRepo);
        expect(lines[0]).toContain("Q6_K");
        for (const quant of ["Q3_K_M", "Q4_K_M", "Q5_K_M", "Q8_0"]) expect(lines[0]).toContain(quant);
        expect(existsSync(s.db)).toBe(false);
        expect(existsSync(s.results)).toBe(false);
        expect(existsSync(s.cache)).toBe(false);
    });

    test("offline with an empty cache: the config fails with the one-line offline message, exit 1", async () => {
        const s = await scenario("qwen-offline");
        const endpoint = await refusedEndpoint();
        const result = await runBench(
            ["suites/qwen-quants.yaml", "--repetitions", "1", "--filter", "Q4_K_M stream", ...s.storeArgs],
            { ...s.env, HF_ENDPOINT: endpoint }
        );
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/offline/);
        const run = onlyRunFile(s.results);
        expect(run.configs).toHaveLength(1);
        const [config] = run.configs;
        expect(config!.status).toBe("failed");
        expect(config!.error).toContain(endpoint);
        expect(config!.error).toMatch(/offline/);
        expect(config!.error).not.toMatch(/\n/);
        expect(config!.model).toBeNull();
        expectDbMatchesRunFile(s.db, run);
    });
});
