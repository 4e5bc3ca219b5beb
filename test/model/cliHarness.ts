/**
 * Runs the real CLI (`node --import tsx runner/cli/cli.ts bench ...`) as a separate process, so the pid held here
 * is the parent itself and its children are the measure children; reads back what it left: run files and SQLite.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { expect } from "vitest";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** stdout as it arrived, chunk by chunk (to show text was streamed before the table). */
    stdoutChunks: string[];
}

export interface CliProcess {
    child: ChildProcess;
    pid: number;
    done: Promise<CliResult>;
}

/** Every CLI process started by the tests, killed by `killLeftovers` if a test failed half-way. */
const started = new Set<ChildProcess>();

/** `ownGroup`: start the CLI as the leader of its own process group, so `process.kill(-pid, sig)` reaches it and its children like a terminal's Ctrl-C. */
export function startBench(args: string[], env: NodeJS.ProcessEnv = {}, opts: { ownGroup?: boolean } = {}): CliProcess {
    const base = { ...process.env };
    // the user's own settings must not leak into the runs
    for (const key of ["GGUF_BENCH_DB", "GGUF_BENCH_RESULTS", "GGUF_BENCH_CACHE", "HF_TOKEN", "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE"]) delete base[key];
    const child = spawn(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "bench", ...args], {
        cwd: projectRoot,
        env: { ...base, ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: opts.ownGroup ?? false
    });
    started.add(child);
    const stdoutChunks: string[] = [];
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdoutChunks.push(chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const done = new Promise<CliResult>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => {
            started.delete(child);
            resolve({ code, signal, stdout: stdoutChunks.join(""), stderr, stdoutChunks });
        });
    });
    return { child, pid: child.pid!, done };
}

export function runBench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return startBench(args, env).done;
}

export function killLeftovers(): void {
    for (const child of started) child.kill("SIGKILL");
}

/** Pids of the measure children (runner/measure/child.ts) of process `parent`, now. */
export function measureChildren(parent: number): number[] {
    let out: string;
    try {
        out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(parent)], { encoding: "utf8" });
    } catch {
        return []; // ps exits 1 when there are none
    }
    return out.split("\n")
        .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
        .filter((match) => match != null && match[2]!.includes(path.join("measure", "child.ts")))
        .map((match) => Number(match![1]));
}

/** Polls until `parent` has a measure child not in `seen`; returns its pid (or throws once the parent has ended). */
export async function waitForNewMeasureChild(cli: CliProcess, seen: ReadonlySet<number>, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void cli.done.then(() => (exited = true));
    while (Date.now() < deadline) {
        if (exited) throw new Error("the CLI exited before a new measure child appeared");
        const fresh = measureChildren(cli.pid).find((pid) => !seen.has(pid));
        if (fresh != null) return fresh;
        await sleep(50);
    }
    throw new Error("no new measure child within the time limit");
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- what a run leaves behind ----------------------------------------------------------------------------------

export interface RunFile {
    schema: number;
    run: {
        id: string;
        suite: { name: string; path: string; sha256: string };
        startedAt: string;
        finishedAt: string | null;
        status: string;
        git: { commit: string | null; dirty: boolean | null };
        machine: Record<string, unknown>;
    };
    configs: RunFileConfig[];
}

export interface RunFileConfig {
    id: string;
    label: string;
    status: string;
    error: string | null;
    model: { source: string; repo: string | null; file: string; path: string; sha256: string; sizeBytes: number; quant: string } | null;
    params: Record<string, unknown>;
    /** What was asked where it differs from `params` (what ran). */
    asked: Record<string, unknown>;
    loadMs: number | null;
    peakRssBytes: number | null;
    vramBytes: number | null;
    measurements: { kind: string; prompt: string; rep: number; metrics: Record<string, number> }[];
    summary: Record<string, { n: number; mean: number; sd: number; median: number; min: number; max: number }>;
    outputs: Record<string, string>;
    warnings: string[];
}

export function runFileNames(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json")) : [];
}

/** The one run file in `dir` (fails the test if there are none or several). */
export function onlyRunFile(dir: string): RunFile {
    const names = runFileNames(dir);
    expect(names, `run files in ${dir}`).toHaveLength(1);
    const run = JSON.parse(readFileSync(path.join(dir, names[0]!), "utf8")) as RunFile;
    expect(names[0]).toBe(`${run.run.id}.json`);
    return run;
}

/**
 * The database holds exactly what the run file says: the run's status, each config's status, error, load time
 * and peak RSS in the same order, and every metric value of every measurement (and no other metric rows).
 */
export function expectDbMatchesRunFile(dbPath: string, runFile: RunFile): void {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
        const run = db.prepare("SELECT id, status, suite_sha256, started_at, finished_at FROM runs WHERE id = ?").get(runFile.run.id) as
            { id: string; status: string; suite_sha256: string; started_at: string; finished_at: string | null } | undefined;
        expect(run, `run ${runFile.run.id} in ${dbPath}`).toBeDefined();
        expect(run).toEqual({
            id: runFile.run.id, status: runFile.run.status, suite_sha256: runFile.run.suite.sha256,
            started_at: runFile.run.startedAt, finished_at: runFile.run.finishedAt
        });

        const configs = db.prepare("SELECT id, status, error, load_ms, peak_rss_bytes FROM configs WHERE run_id = ? ORDER BY position").all(runFile.run.id);
        expect(configs).toEqual(runFile.configs.map((config) => ({
            id: config.id, status: config.status, error: config.error, load_ms: config.loadMs, peak_rss_bytes: config.peakRssBytes
        })));

        const rows = db.prepare(`
            SELECT m.config_id, m.kind, m.prompt, m.rep, x.name, x.value
            FROM metrics x JOIN measurements m ON m.id = x.measurement_id
            WHERE m.run_id = ?`).all(runFile.run.id) as { config_id: string; kind: string; prompt: string; rep: number; name: string; value: number }[];
        const inDb = new Map(rows.map((row) => [`${row.config_id} ${row.kind} ${row.prompt} #${row.rep} ${row.name}`, row.value]));
        const inFile = new Map<string, number>();
        for (const config of runFile.configs)
            for (const m of config.measurements)
                for (const [name, value] of Object.entries(m.metrics)) inFile.set(`${config.id} ${m.kind} ${m.prompt} #${m.rep} ${name}`, value);
        expect(inDb.size, "metric rows in the database").toBe(rows.length);
        // same keys, and bit-identical values (JSON round-trips doubles exactly)
        expect(Object.fromEntries([...inDb].sort())).toEqual(Object.fromEntries([...inFile].sort()));

        const measurementCount = db.prepare("SELECT count(*) FROM measurements WHERE run_id = ?").pluck().get(runFile.run.id);
        expect(measurementCount).toBe(runFile.configs.reduce((sum, config) => sum + config.measurements.length, 0));
    } finally {
        db.close();
    }
}

/** A suite file's text from a plain object (JSON is valid YAML). */
export function suiteYaml(suite: object): string {
    return JSON.stringify(suite, null, 2) + "\n";
}
