/**
 * The committed run file `results/runs/<run-id>.json` (DESIGN.md): pretty, keys in the documented order, so two
 * runs diff cleanly. RSS timelines, token timestamps, stderr and the per-position samples of quality passes stay in the
 * database; a quality pass is written as its figures (recomputed from those samples) and what was scored.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { ConfigRecord, Metrics, ModelInfo, QualityRecord, RunRecord, Summary } from "../results.ts";
import { qualityFigures } from "../stats/qualityFigures.ts";
import { defaultSettings } from "../suite/types.ts";
import { summarizeMeasurements } from "../stats/summarize.ts";

/** Version of the run file format; bump it when a reader would misread the new shape. */
export const runFileSchema = 1;

export interface RunFileOptions {
    /** Paths inside this folder are written relative to it. Defaults to `process.cwd()`. */
    baseDir?: string;
    /** Other paths under this folder are written as `~/…`. Defaults to `os.homedir()`. */
    homeDir?: string;
}

/**
 * The run file's text: `schema`, `run`, `configs`, each object's keys in the order DESIGN.md lists them; metric
 * and summary keys sorted; params in `defaultSettings` order. Each summary is recomputed from the measurements
 * written beside it. Two spaces, trailing newline.
 */
export function runFileJson(run: RunRecord, configs: readonly ConfigRecord[], opts: RunFileOptions = {}): string {
    const toPortable = (path: string) => portablePath(path, opts.baseDir ?? process.cwd(), opts.homeDir ?? homedir());
    const file = {
        schema: runFileSchema,
        run: {
            id: run.id,
            suite: { name: run.suite.name, path: toPortable(run.suite.path), sha256: run.suite.sha256 },
            startedAt: run.startedAt,
            finishedAt: run.finishedAt,
            status: run.status,
            git: { commit: run.git.commit, dirty: run.git.dirty },
            machine: {
                os: run.machine.os,
                arch: run.machine.arch,
                cpu: run.machine.cpu,
                cores: run.machine.cores,
                memoryBytes: run.machine.memoryBytes,
                node: run.machine.node,
                nodeLlamaCpp: run.machine.nodeLlamaCpp,
                llamaCpp: run.machine.llamaCpp,
                backend: run.machine.backend,
                gpus: [...run.machine.gpus]
            }
        },
        configs: configs.map((config) => ({
            id: config.id,
            label: config.label,
            status: config.status,
            error: config.error,
            model: config.model == null ? null : modelJson(config.model, toPortable),
            params: ordered(config.params as unknown as Record<string, unknown>, Object.keys(defaultSettings)),
            // what was asked where it differs from `params` (what ran); `{}` when all ran as asked
            asked: ordered((config.asked ?? {}) as Record<string, unknown>, Object.keys(defaultSettings)),
            startMs: config.startMs,
            loadMs: config.loadMs,
            warmupMs: config.warmupMs,
            peakRssBytes: config.peakRssBytes,
            vramBytes: config.vramBytes,
            measurements: config.measurements.map((m) => ({
                kind: m.kind,
                prompt: m.prompt,
                rep: m.rep,
                metrics: sortedKeys(m.metrics) satisfies Metrics
            })),
            // schema 1 keys summaries as `<prompt>.<metric>`
            summary: Object.fromEntries(Object.entries(summarizeMeasurements(config.measurements)).flatMap(
                ([prompt, metrics]) => Object.entries(metrics).map(([metric, s]): [string, Summary] =>
                    [`${prompt}.${metric}`, { n: s.n, mean: s.mean, sd: s.sd, median: s.median, min: s.min, max: s.max }])
            ).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
            ...(config.quality != null ? { quality: qualityJson(config.quality, toPortable) } : {}),
            outputs: { ...config.outputs },
            warnings: [...config.warnings]
        }))
    };
    return JSON.stringify(file, null, 2) + "\n";
}

/**
 * Write `dir/<run-id>.json` atomically (a temporary file in the same folder, then rename), creating `dir`.
 * Returns the path written.
 */
export async function writeRunFile(
    dir: string, run: RunRecord, configs: readonly ConfigRecord[], opts: RunFileOptions = {}
): Promise<string> {
    if (run.id === "" || run.id === "." || run.id === ".." || /[/\\]/.test(run.id))
        throw new Error(`Expected the run id to be usable as a file name, got \`${run.id}\``);
    const text = runFileJson(run, configs, opts);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${run.id}.json`);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
        await writeFile(temp, text, "utf8");
        await rename(temp, path);
    } catch (error) {
        await rm(temp, { force: true });
        throw error;
    }
    return path;
}

/**
 * A path without machine-specific parts where possible: relative to `baseDir` (with `/`) when inside it,
 * `~/…` when inside `homeDir`, unchanged otherwise.
 */
export function portablePath(path: string, baseDir: string, homeDir: string): string {
    if (!isAbsolute(path)) return path.split(sep).join("/");
    const inside = (dir: string) => {
        const rel = relative(resolve(dir), path);
        return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel.split(sep).join("/") : null;
    };
    const fromBase = inside(baseDir);
    if (fromBase != null) return fromBase;
    const fromHome = homeDir === "" ? null : inside(homeDir);
    if (fromHome != null) return `~/${fromHome}`;
    return path;
}

function modelJson(model: ModelInfo, toPortable: (path: string) => string) {
    return {
        source: model.source,
        repo: model.repo ?? null,
        file: model.file,
        path: toPortable(model.path),
        sha256: model.sha256,
        sizeBytes: model.sizeBytes,
        quant: model.quant,
        arch: model.arch,
        parameters: model.parameters,
        ...(model.clonedFrom != null ? { clonedFrom: model.clonedFrom } : {})
    };
}

function qualityJson(quality: QualityRecord, toPortable: (path: string) => string) {
    const ref = quality.reference;
    return {
        corpus: { path: toPortable(quality.corpus.path), sha256: quality.corpus.sha256 },
        context: quality.context,
        chunks: quality.chunks,
        corpusTokens: quality.corpusTokens,
        scored: quality.positions.nll.length,
        reference: ref == null ? null : {
            name: ref.name, file: ref.file, sha256: ref.sha256, topK: ref.topK, cacheKey: ref.cacheKey, cacheBytes: ref.cacheBytes, computeMs: ref.computeMs
        },
        ms: quality.ms,
        peakRssBytes: quality.peakRssBytes,
        figures: sortedKeys(qualityFigures(quality.positions))
    };
}

/** `record` with `order`'s keys first (those present), then any others sorted. */
function ordered(record: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const key of order) if (key in record) result[key] = record[key];
    for (const key of Object.keys(record).sort()) if (!(key in result)) result[key] = record[key];
    return result;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]!]));
}
