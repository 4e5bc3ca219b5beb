/**
 * The run file `results/runs/<run-id>.json`, schema 2: the complete record of one run (every raw sample the
 * database holds), so that the database is a cache rebuilt from committed files. The contract is
 * docs/run-file.md and run-file.schema.json; the text is made by runFileText.ts, written by writeRunFile.ts and read back by readRunFile.ts.
 */
import { homedir } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { ConfigRecord, EngineInfo, MachineLoad, Measurement, ModelInfo, QualityRecord, RunRecord, Summaries } from "../results.ts";
import { qualityFigures, type QualityFigures } from "../stats/qualityFigures.ts";
import { parallelOutcome } from "../stats/knee.ts";
import type { ParallelTest, Settings } from "../suite/types.ts";
import { summarizeMeasurements } from "../stats/summarize.ts";

/** Version of the run file format; bump it when a reader would misread the new shape (new keys do not need one). */
export const runFileSchema = 2;

export interface RunFileModel extends Omit<ModelInfo, "repo"> {
    repo: string | null;
}

/** A measurement as the file holds it: every key present, `tokenTimesMs` null where tokens were not timed. */
export interface RunFileMeasurement extends Omit<Measurement, "tokenTimesMs" | "sequenceTimesMs"> {
    /** ms from submitting the prompt to each generated token (stream mode); null where tokens were not timed. */
    tokenTimesMs: number[] | null;
    /** A parallel level: per sequence, ms from the level's start to each of its tokens; absent (null when read) for other measurements. */
    sequenceTimesMs?: number[][] | null;
}

/** A parallel test as asked, with its knee (derived: recomputed from the summaries when written, checked when read). */
export interface RunFileParallel extends ParallelTest {
    knee: number | null;
    stillRising: boolean;
    overBudget: number | null;
}

/**
 * A config's quality pass (the suite's `quality:` block): what was scored, the figures and every scored position's
 * raw samples, column by column (`positions.nll[i]` is position i's). The reference's own per-position
 * distributions stay in the bench cache (they are an input, like the model file); what the config was compared with
 * is named by `reference`.
 */
export interface RunFileQuality extends QualityRecord {
    /** Derived: recomputed from `positions` whenever the file is written, checked against them when it is read. */
    figures: QualityFigures;
}

/**
 * A config as the file holds it: the record (results.ts' ConfigRecord) with every key present (null or `{}` where
 * nothing was recorded), the model without a missing `repo`, and the quality pass with its figures. `summary` is
 * derived: recomputed from `measurements` whenever the file is written, checked against them when it is read.
 * `rssTimeline` is downsampled as stats/downsampleRss.ts says; the database holds the same samples.
 */
export interface RunFileConfig extends Omit<ConfigRecord, "model" | "asked" | "measurements" | "parallel" | "quality" | "stderr" | "machineLoad" | "engine"> {
    model: RunFileModel | null;
    /** What was asked, for each setting where it differs from `params`; `{}` when everything ran as asked. */
    asked: Partial<Settings>;
    /** The llama.cpp binary the config ran on; null when not recorded (it never loaded, or the file is older). */
    engine: EngineInfo | null;
    measurements: RunFileMeasurement[];
    /** The parallel tests as asked, with their knees; absent (`[]` when read) when the suite has none. */
    parallel?: RunFileParallel[];
    /** The quality pass; null when the suite has none or the config did not get to it. */
    quality: RunFileQuality | null;
    /** The child's stderr tail (kept for configs that did not end ok); null when none was kept. */
    stderr: string | null;
    /** What the machine was doing while the config ran; null when not recorded (files written before it). */
    machineLoad: MachineLoad | null;
}

export interface RunFile {
    schema: typeof runFileSchema;
    /** The run as the database holds it; `suite.path` made portable. */
    run: RunRecord;
    configs: RunFileConfig[];
}

export interface RunFileOptions {
    /** Paths inside this folder are written relative to it. Defaults to `process.cwd()`. */
    baseDir?: string;
    /** Other paths under this folder are written as `~/…`. Defaults to `os.homedir()`. */
    homeDir?: string;
}

/** A run as its file holds it: paths made portable, each summary recomputed from the measurements beside it. */
export function toRunFile(run: RunRecord, configs: readonly ConfigRecord[], opts: RunFileOptions = {}): RunFile {
    const toPortable = (path: string) => portablePath(path, opts.baseDir ?? process.cwd(), opts.homeDir ?? homedir());
    return {
        schema: runFileSchema,
        run: {
            id: run.id,
            suite: { ...run.suite, path: toPortable(run.suite.path) },
            startedAt: run.startedAt,
            finishedAt: run.finishedAt,
            status: run.status,
            git: { ...run.git },
            machine: run.machine,
            shard: run.shard
        },
        configs: configs.map((config): RunFileConfig => {
            const summary = summarizeMeasurements(config.measurements);
            return {
            id: config.id,
            label: config.label,
            status: config.status,
            error: config.error,
            model: config.model == null ? null : { ...config.model, repo: config.model.repo ?? null, path: toPortable(config.model.path) },
            params: config.params,
            asked: config.asked ?? {},
            engine: config.engine ?? null,
            startedAt: config.startedAt,
            finishedAt: config.finishedAt,
            startMs: config.startMs,
            loadMs: config.loadMs,
            warmupMs: config.warmupMs,
            peakRssBytes: config.peakRssBytes,
            vramBytes: config.vramBytes,
            measurements: config.measurements.map((m) => ({
                kind: m.kind, prompt: m.prompt, rep: m.rep, metrics: m.metrics, tokenTimesMs: m.tokenTimesMs ?? null,
                ...(m.sequenceTimesMs != null ? { sequenceTimesMs: m.sequenceTimesMs } : {})
            })),
            summary,
            ...(config.parallel != null && config.parallel.length > 0 ? { parallel: config.parallel.map((test) => withKnee(test, summary)) } : {}),
            quality: config.quality == null ? null : {
                ...config.quality,
                corpus: { ...config.quality.corpus, path: toPortable(config.quality.corpus.path) },
                figures: qualityFigures(config.quality.positions)
            },
            outputs: config.outputs,
            warnings: config.warnings,
            rssTimeline: config.rssTimeline,
            stderr: config.stderr ?? null,
            machineLoad: config.machineLoad ?? null
    };
        })
    };
}

/** A parallel test with the knee its levels' summaries give. */
export function withKnee(test: ParallelTest, summary: Summaries): RunFileParallel {
    const { knee, stillRising, overBudget } = parallelOutcome(test, summary);
    return { ...test, knee, stillRising, overBudget };
}

/** The records a run file holds, as the store saves them (summaries recomputed). */
export function fromRunFile(file: RunFile): { run: RunRecord; configs: ConfigRecord[] } {
    const run: RunRecord = { ...file.run, suite: { ...file.run.suite }, git: { ...file.run.git } };
    const configs = file.configs.map((c): ConfigRecord => {
        const { repo, ...model } = c.model ?? { repo: null };
        const measurements = c.measurements.map(({ tokenTimesMs, sequenceTimesMs, ...m }) => ({
            ...m, ...(tokenTimesMs != null ? { tokenTimesMs } : {}), ...(sequenceTimesMs != null ? { sequenceTimesMs } : {})
        }));
        return {
            id: c.id,
            label: c.label,
            status: c.status,
            error: c.error,
            model: c.model == null ? null : { ...(model as Omit<ModelInfo, "repo">), ...(repo != null ? { repo } : {}) },
            params: c.params,
            asked: c.asked,
            engine: c.engine,
            startMs: c.startMs,
            loadMs: c.loadMs,
            warmupMs: c.warmupMs,
            peakRssBytes: c.peakRssBytes,
            vramBytes: c.vramBytes,
            measurements,
            summary: summarizeMeasurements(measurements),
            ...(c.parallel != null && c.parallel.length > 0 ? { parallel: c.parallel.map(withoutKnee) } : {}),
            quality: c.quality == null ? null : withoutFigures(c.quality),
            ...(c.machineLoad != null ? { machineLoad: c.machineLoad } : {}),
            outputs: c.outputs,
            rssTimeline: c.rssTimeline,
            warnings: c.warnings,
            startedAt: c.startedAt,
            finishedAt: c.finishedAt,
            ...(c.stderr != null ? { stderr: c.stderr } : {})
        };
    });
    return { run, configs };
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

function withoutKnee({ knee: _knee, stillRising: _rising, overBudget: _over, ...test }: RunFileParallel): ParallelTest {
    return test;
}

function withoutFigures({ figures: _derived, ...quality }: RunFileQuality): QualityRecord {
    return quality;
}
