/**
 * The run file's bytes: every object's keys in the documented order, and a layout that diffs well. Two spaces of
 * indent; a list or mapping that holds only plain values (a measurement's metrics, its token times, a summary, an
 * RSS sample, a warning) is written on one line, except the mappings a reader looks through key by key (suite, git,
 * machine, shard, model, params, asked, outputs). A trailing newline. The same RunFile always gives the same bytes.
 */
import { defaultSettings } from "../suite/types.ts";
import type { RunFile, RunFileConfig, RunFileModel, RunFileParallel, RunFileQuality } from "./runFile.ts";
import { dict } from "../dict.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const machineKeys = ["os", "arch", "cpu", "cores", "memoryBytes", "node", "nodeLlamaCpp", "llamaCpp", "backend", "gpus"] as const;
const modelKeys = ["source", "repo", "file", "path", "sha256", "sizeBytes", "quant", "arch", "parameters", "clonedFrom"] as const satisfies readonly (keyof RunFileModel)[];
const summaryKeys = ["n", "mean", "sd", "median", "min", "max"] as const;
const qualityKeys = ["corpus", "context", "chunks", "corpusTokens", "reference", "ms", "peakRssBytes", "figures", "positions"] as const satisfies readonly (keyof RunFileQuality)[];
const parallelKeys = ["id", "sequences", "prompt", "gen", "shared", "rise", "itlP90Ms", "knee", "stillRising", "overBudget"] as const satisfies readonly (keyof RunFileParallel)[];
const referenceKeys = ["name", "file", "sha256", "topK", "cacheKey", "cacheBytes", "computeMs"] as const;
const positionKeys = ["token", "nll", "top1", "nllRef", "top1Ref", "kld", "tailRef"] as const;
/** Paths (array items as `[]`) of mappings written one key per line even when they hold only plain values. */
const expanded = new Set(["run.suite", "run.git", "run.machine", "run.shard", "configs[].model", "configs[].params", "configs[].asked", "configs[].outputs"]);

/**
 * `file` rebuilt with the keys this version knows, in the documented order. The machine, model, params and asked keep
 * keys it does not know (after the known ones, sorted): the database stores them as they are.
 */
export function orderedRunFile(file: RunFile): RunFile {
    const run = file.run;
    return {
        schema: file.schema,
        run: {
            id: run.id,
            suite: { name: run.suite.name, path: run.suite.path, sha256: run.suite.sha256 },
            startedAt: run.startedAt,
            finishedAt: run.finishedAt,
            status: run.status,
            git: { commit: run.git.commit, dirty: run.git.dirty },
            machine: withOrder(run.machine, machineKeys) as unknown as RunFile["run"]["machine"],
            shard: run.shard == null ? null : { index: run.shard.index, count: run.shard.count }
        },
        configs: file.configs.map(orderedConfig)
    };
}

function orderedConfig(c: RunFileConfig): RunFileConfig {
    return {
        id: c.id,
        label: c.label,
        status: c.status,
        error: c.error,
        model: c.model == null ? null : withOrder(c.model, modelKeys) as unknown as RunFileModel,
        params: withOrder(c.params, Object.keys(defaultSettings)) as unknown as RunFileConfig["params"],
        asked: withOrder(c.asked, Object.keys(defaultSettings)) as RunFileConfig["asked"],
        engine: c.engine == null ? null : {
            build: c.engine.build,
            llamaCpp: { repo: c.engine.llamaCpp.repo, release: c.engine.llamaCpp.release },
            systemInfo: c.engine.systemInfo,
            features: [...c.engine.features],
            ...(c.engine.uvThreadpoolSize != null ? { uvThreadpoolSize: c.engine.uvThreadpoolSize } : {})
        },
        startedAt: c.startedAt,
        finishedAt: c.finishedAt,
        startMs: c.startMs,
        loadMs: c.loadMs,
        warmupMs: c.warmupMs,
        peakRssBytes: c.peakRssBytes,
        vramBytes: c.vramBytes,
        // a measurement's `sequenceTimesMs` and the config's `parallel` only where there are some: files without parallel
        // tests keep their bytes (read back, their "nothing recorded" values are null and [])
        measurements: c.measurements.map((m) => ({
            kind: m.kind, prompt: m.prompt, rep: m.rep, metrics: sorted(m.metrics), tokenTimesMs: m.tokenTimesMs,
            ...(m.sequenceTimesMs != null ? { sequenceTimesMs: m.sequenceTimesMs } : {})
        })),
        summary: Object.fromEntries(Object.keys(c.summary).sort().map((prompt) => [prompt, Object.fromEntries(
            Object.keys(c.summary[prompt]!).sort().map((metric) => [metric, withOrder(c.summary[prompt]![metric]!, summaryKeys, false)]))])) as unknown as RunFileConfig["summary"],
        ...(c.parallel != null && c.parallel.length > 0 ? { parallel: c.parallel.map((t) => withOrder(t, parallelKeys, false) as unknown as RunFileParallel) } : {}),
        quality: c.quality == null ? null : orderedQuality(c.quality),
        outputs: { ...c.outputs },
        // `kind` first, then the kind's fields sorted
        warnings: c.warnings.map((w) => ({ kind: w.kind, ...sorted(w as unknown as Record<string, unknown>, "kind") }) as RunFileConfig["warnings"][number]),
        rssTimeline: c.rssTimeline.map((s) => ({ t: s.t, bytes: s.bytes, phase: s.phase })),
        stderr: c.stderr,
        machineLoad: c.machineLoad == null ? null : {
            loadAverage: c.machineLoad.loadAverage, cores: c.machineLoad.cores, othersCpu: c.machineLoad.othersCpu,
            steal: c.machineLoad.steal, throttleEvents: c.machineLoad.throttleEvents
        }
    };
}

function orderedQuality(q: RunFileQuality): RunFileQuality {
    return {
        ...withOrder(q, qualityKeys, false),
        corpus: { path: q.corpus.path, sha256: q.corpus.sha256 },
        reference: q.reference == null ? null : withOrder(q.reference, referenceKeys, false),
        figures: Object.fromEntries(Object.keys(q.figures).sort().map((name) => [name, withOrder(q.figures[name]!, ["value", "unc"], false)])),
        positions: withOrder(q.positions, positionKeys, false)
    } as unknown as RunFileQuality;
}

/** The file's text: the documented order and layout, two spaces, one trailing newline. */
export function runFileText(file: RunFile): string {
    return `${print(orderedRunFile(file) as unknown as Json, "", "")}\n`;
}

function print(value: Json, path: string, indent: string): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    const entries: [string | null, Json][] = Array.isArray(value) ? value.map((item) => [null, item]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return `${open}${close}`;
    const plain = entries.every(([, item]) => item === null || typeof item !== "object");
    const item = ([key, child]: [string | null, Json], inner: string) =>
        `${key == null ? "" : `${JSON.stringify(key)}: `}${print(child, key == null ? `${path}[]` : path === "" ? key : `${path}.${key}`, inner)}`;
    if (plain && !expanded.has(path)) return `${open}${Array.isArray(value) ? "" : " "}${entries.map((e) => item(e, "")).join(", ")}${Array.isArray(value) ? "" : " "}${close}`;
    const inner = `${indent}  `;
    return `${open}\n${entries.map((e) => `${inner}${item(e, inner)}`).join(",\n")}\n${indent}${close}`;
}

/** `record` with `order`'s keys first (those present), then, if `others`, the rest sorted. */
function withOrder(record: object, order: readonly string[], others = true): Record<string, unknown> {
    const source = record as Record<string, unknown>;
    const result: Record<string, unknown> = dict();
    for (const key of order) if (Object.hasOwn(source, key)) result[key] = source[key];
    if (others) for (const key of Object.keys(source).sort()) if (!Object.hasOwn(result, key)) result[key] = source[key];
    return result;
}

function sorted<T>(record: Record<string, T>, without?: string): Record<string, T> {
    return Object.fromEntries(Object.keys(record).filter((key) => key !== without).sort().map((key) => [key, record[key]!]));
}
