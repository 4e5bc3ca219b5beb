/**
 * The site the browser tests open: a real `bench` run of a tiny synthetic model (three quants, threads swept,
 * a chat prompt and llama-bench tests), plus one copy of that run whose suite name, config labels, outputs and
 * error hold markup (the XSS cases) and two plain copies (a day earlier; on another machine), all as run files,
 * built by `npm run report` under the sub-path `/gguf-bench/` into a database that did not exist: the site a fresh
 * clone with committed run files gets.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ConfigRecord, RunRecord } from "../../runner/results.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { fromRunFile, toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const hostile = {
    suite: "xss <img src=x onerror=\"window.__xss='suite'\"> suite",
    label: "<script>window.__xss='label'</script> config",
    outputs: [
        "<script>window.__xss='output'</script>",
        "<img src=x onerror=\"window.__xss='img'\">",
        "</textarea><svg onload=\"window.__xss='svg'\"></svg>"
    ],
    error: "<b onmouseover=\"window.__xss='error'\">boom</b>"
};

export const suiteYaml = `name: browser-site
defaults: { repetitions: 2, warmup: 1, context: 512, maxTokens: 12 }
models:
  - synthetic: { preset: tiny, quant: [F16, Q8_0, Q4_0] }
matrix: { threads: [1, 2] }
prompts:
  - { id: hello, text: Say hello. }
tests:
  - tg: 8
  - { tg: 8, depth: 64 }
`;

const cleanEnv = () => {
    const env = { ...process.env };
    for (const key of ["GGUF_BENCH_DB", "GGUF_BENCH_RESULTS", "GGUF_BENCH_CACHE", "GGUF_BENCH_REPORT_DB", "GGUF_BENCH_REPORT_BASE", "GGUF_BENCH_REPORT_OUT"]) delete env[key];
    return env;
};

function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = projectRoot): string {
    return execFileSync(process.execPath, ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, path.join(projectRoot, "runner/cli/cli.ts"), ...args], {
        cwd, env: { ...cleanEnv(), ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000
    });
}

export interface BuiltSite {
    dir: string;
    /** The database `report` made from the run files. */
    db: string;
    /** The run files it was made from. */
    runs: string;
    dist: string;
    /** What `report` printed on stdout. */
    reportOutput: string;
    realRunId: string;
    hostileRunId: string;
    /** Ids of every run file written. */
    runIds: string[];
}

/** Run the suite, add the hostile copy and two plain ones as run files, build the site from them under `/gguf-bench/`. */
export function buildFixtureSite(): BuiltSite {
    const dir = mkdtempSync(path.join(os.tmpdir(), "gguf-bench-site-"));
    const runs = path.join(dir, "runs");
    const suite = path.join(dir, "browser-site.yaml");
    writeFileSync(suite, suiteYaml);
    // bench's own database stays aside: the report's is made from the run files alone
    cli(["bench", suite, "--db", path.join(dir, "bench-machine.db"), "--results", runs], { GGUF_BENCH_CACHE: path.join(dir, "cache") });

    const [realFile] = readdirJson(runs);
    const real = fromRunFile(parseRunFile(readFileSync(realFile!, "utf8"), realFile!).file);
    const write = (run: RunRecord, configs: ConfigRecord[]) => writeFileSync(path.join(runs, `${run.id}.json`), runFileText(toRunFile(run, configs)));
    const hostileRunId = `${real.run.id}-xss`;
    write({ ...real.run, id: hostileRunId, suite: { ...real.run.suite, name: hostile.suite }, startedAt: new Date(Date.parse(real.run.startedAt) - 60_000).toISOString() },
        real.configs.map((config, i) => ({
            ...config,
            label: `${hostile.label} ${i}`,
            outputs: Object.fromEntries(Object.keys(config.outputs).map((prompt) => [prompt, hostile.outputs.join("\n")])),
            ...(i === real.configs.length - 1 ? { status: "failed" as const, error: hostile.error, measurements: [], rssTimeline: [] } : {})
        })));
    // two more copies of the real run, so History (same suite and machine, a day earlier) and Machines (the same
    // configs on another machine) have something to draw: copied figures, so flat lines and equal bars
    const copy = (id: string, changes: Partial<RunRecord>) => write({ ...real.run, ...changes, id }, real.configs);
    copy(`${real.run.id}-day-before`, { startedAt: new Date(Date.parse(real.run.startedAt) - 86_400_000).toISOString(), git: { commit: "0".repeat(40), dirty: false } });
    copy(`${real.run.id}-other-machine`, { startedAt: new Date(Date.parse(real.run.startedAt) - 3_600_000).toISOString(), machine: { ...real.run.machine, cpu: "Copied CPU", cores: 64 } });

    const db = path.join(dir, "bench.db");
    const dist = path.join(dir, "dist");
    const reportOutput = cli(["report", "--db", db, "--results", runs, "--base", "/gguf-bench/", "--out", dist]);
    const runIds = readdirJson(runs).map((file) => path.basename(file, ".json")).sort();
    return { dir, db, runs, dist, reportOutput, realRunId: real.run.id, hostileRunId, runIds };
}

function readdirJson(dir: string): string[] {
    return readdirSync(dir).filter((name) => name.endsWith(".json")).sort().map((name) => path.join(dir, name));
}

/** Build the site where there is no database at all (a fresh clone before any run): from a folder without `results/`. */
export function buildEmptySite(dir: string): string {
    const dist = path.join(dir, "empty-dist");
    cli(["report", "--out", dist], {}, dir);
    return dist;
}
