/**
 * Runs the real CLI (`node --import tsx runner/cli/cli.ts bench ...`) as a separate process, so the pid held here
 * is the parent itself and its children are the measure children; reads back what it left: run files and SQLite.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { toRunFile, type RunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";

export type { RunFile, RunFileConfig } from "../../runner/store/runFile.ts";

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
    return startCli("bench", args, env, opts);
}

/** Any gguf-bench command (`bench`, `db`, `compare`…) as a separate process, in the project root. */
export function runCli(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return startCli(command, args, env, {}).done;
}

function startCli(command: string, args: string[], env: NodeJS.ProcessEnv, opts: { ownGroup?: boolean }): CliProcess {
    const base = { ...process.env };
    // the user's own settings must not leak into the runs
    for (const key of ["GGUF_BENCH_DB", "GGUF_BENCH_RESULTS", "GGUF_BENCH_CACHE", "HF_TOKEN", "HF_ENDPOINT", "HF_HOME", "HF_HUB_CACHE"]) delete base[key];
    const child = spawn(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", command, ...args], {
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

export function runFileNames(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json")) : [];
}

/** The one run file in `dir`, read and checked as `db import` reads it (fails the test if there are none or several). */
export function onlyRunFile(dir: string): RunFile {
    const names = runFileNames(dir);
    expect(names, `run files in ${dir}`).toHaveLength(1);
    const read = parseRunFile(readFileSync(path.join(dir, names[0]!), "utf8"), names[0]!);
    expect(read.ignored).toEqual([]);
    expect(names[0]).toBe(`${read.file.run.id}.json`);
    return read.file;
}

/**
 * The database holds exactly what the run file says: the run rebuilt from its rows writes the file's bytes (every
 * config, measurement, metric value, token time, RSS sample and warning), and no other metric rows exist.
 */
export function expectDbMatchesRunFile(dbPath: string, runFile: RunFile): void {
    const store = Store.open(dbPath, { readonly: true });
    try {
        const saved = store.getRun(runFile.run.id);
        expect(saved, `run ${runFile.run.id} in ${dbPath}`).not.toBeNull();
        // the CLI runs in projectRoot, so its paths are made portable from there
        expect(runFileText(toRunFile(saved!.run, saved!.configs, { baseDir: projectRoot }))).toBe(runFileText(runFile));
        const metricRows = store.db.prepare("SELECT count(*) FROM samples WHERE run_id = ?").pluck().get(runFile.run.id);
        expect(metricRows).toBe(runFile.configs.reduce((sum, c) => sum + c.measurements.reduce((n, m) => n + Object.keys(m.metrics).length, 0), 0));
    } finally {
        store.close();
    }
}

/** A suite file's text from a plain object (JSON is valid YAML). */
export function suiteYaml(suite: object): string {
    return JSON.stringify(suite, null, 2) + "\n";
}
