/**
 * Reads a run file back: JSON, the schema version (1 or 2; schema 1 is upgraded to 2's shape first), the shape
 * (run-file.schema.json) and what a schema cannot say (unique ids, summaries that agree with the measurements,
 * quality figures that agree with the positions, token times in order). Every problem is one `InputError` line naming the file and the JSON path.
 */
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { jsonProblem } from "./jsonProblem.ts";
import runFileSchemaJson from "../../run-file.schema.json" with { type: "json" };
import { describeValue, InputError } from "../errors.ts";
import { summarizeMeasurements } from "../stats/summarize.ts";
import { SchemaChecker, type SchemaPath } from "../suite/checkSchema.ts";
import { runFileSchema, withKnee, type RunFile, type RunFileQuality } from "./runFile.ts";
import { qualityFigures } from "../stats/qualityFigures.ts";
import { defaultSettings, reservedPromptId, type Settings } from "../suite/types.ts";
import { warningText } from "../warnings.ts";
import { orderedRunFile } from "./runFileText.ts";
import { own } from "../dict.ts";

const checker = new SchemaChecker(runFileSchemaJson);

export interface ReadRunFile {
    file: RunFile;
    /** The schema the file was written in (1 is upgraded to 2 on reading). */
    schema: 1 | 2;
    /** JSON paths of keys this version does not know, which it ignores (written by a newer gguf-bench?). */
    ignored: string[];
}

/** Read and check the run file at `path`. Throws an `InputError` naming `path` on anything wrong with it. */
export async function readRunFile(path: string): Promise<ReadRunFile> {
    let text: string;
    // a link is not followed and a FIFO or device is not waited on: only a regular file is read
    let handle: FileHandle | undefined;
    try {
        handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        const info = await handle.stat();
        if (!info.isFile()) throw new InputError(`${path}: not a run file: a ${kindOf(info)}, not a regular file`);
        if (info.size > maxRunFileBytes) throw new InputError(`${path}: not a run file: ${info.size} bytes, over the ${maxRunFileBytes} a run file may have`);
        text = await handle.readFile("utf8");
    } catch (error) {
        if (error instanceof InputError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ELOOP") throw new InputError(`${path}: not a run file: a symbolic link (run files are read only as regular files, never through a link)`);
        throw new InputError(`${path}: cannot read the run file: ${code ?? (error as Error).message}`);
    } finally {
        await handle?.close();
    }
    return parseRunFile(text, path);
}

/** The largest run file read (a 1000-config run at the default suite's settings is about 40 MB). */
export const maxRunFileBytes = 512 * 2 ** 20;

/** What a file system entry is, in words. */
export function kindOf(info: Stats): string {
    return info.isDirectory() ? "folder" : info.isSymbolicLink() ? "symbolic link" : info.isFIFO() ? "FIFO (named pipe)"
        : info.isSocket() ? "socket" : info.isCharacterDevice() || info.isBlockDevice() ? "device" : info.isFile() ? "regular file" : "special file";
}

/** Check a run file's text; `source` names it in errors. */
export function parseRunFile(text: string, source: string): ReadRunFile {
    const fail = (at: SchemaPath, message: string): never => {
        throw new InputError(`${source}: ${at.length === 0 ? "(the file)" : jsonPath(at)}: ${message}`);
    };
    // where the text breaks, never what it holds (a file that is not JSON may be anything); nesting bounded first
    const problem = jsonProblem(text);
    if (problem != null) throw new InputError(`${source}: not a run file: invalid JSON at line ${problem.line}, column ${problem.column}: ${problem.problem}`);
    const raw: unknown = JSON.parse(text);
    if (!isMapping(raw)) return fail([], `expected a run file (a JSON object with \`schema\`, \`run\`, \`configs\`), got ${describeValue(raw)}`);
    const schema = raw.schema;
    if (schema !== 1 && schema !== runFileSchema) {
        if (typeof schema === "number" && Number.isInteger(schema) && schema > runFileSchema)
            fail(["schema"], `run file schema ${schema} is newer than this gguf-bench reads (1 to ${runFileSchema}): update gguf-bench`);
        fail(["schema"], `expected 1 or ${runFileSchema}, got ${describeValue(schema)}`);
    }
    const base = schema === 1 ? upgradeSchema1(raw) : raw;
    const upgraded = withAddedKeys(base);

    const issue = checker.check(upgraded);
    if (issue != null) {
        if (issue.kind === "missing") fail(issue.path, `expected ${issue.expected}, got nothing (key missing)`);
        fail(issue.path, `expected ${issue.expected}, got ${describeValue(issue.value)}`);
    }
    const file = orderedRunFile(upgraded as unknown as RunFile);
    checkSense(file, schema === 1 ? 1 : 2, fail);
    const ignored: string[] = [];
    // against the file as written: an added key's "nothing recorded" value is not written back (runFileText.ts)
    unknownKeys(base, file, [], ignored);
    return { file, schema: schema === 1 ? 1 : 2, ignored };
}

/**
 * Keys added to schema 2 after its first files were written are optional to the reader, with the value that means
 * "nothing recorded": `asked` (`{}`), `quality` (null), `machineLoad` (null), `engine` (null), `parallel` (`[]`), a
 * measurement's `sequenceTimesMs` (null). A key added later goes here too, so that every schema-2 file stays readable.
 * A setting added later is filled with its default in `params`, which is what those configs ran: `engine` (`prebuilt`).
 */
function withAddedKeys(raw: Record<string, unknown>): Record<string, unknown> {
    if (!Array.isArray(raw.configs)) return raw;
    const added = { asked: {}, quality: null, machineLoad: null, engine: null, parallel: [] };
    const addedToMeasurement = { sequenceTimesMs: null };
    return {
        ...raw,
        configs: raw.configs.map((config: unknown) => {
            if (!isMapping(config)) return config;
            const params = isMapping(config.params) && !Object.hasOwn(config.params, "engine") ? { ...config.params, engine: defaultSettings.engine } : config.params;
            const measurements = Array.isArray(config.measurements)
                ? config.measurements.map((m: unknown) => (isMapping(m) ? { ...addedToMeasurement, ...m } : m)) : config.measurements;
            return { ...added, ...config, params, ...(measurements !== undefined ? { measurements } : {}) };
        })
    };
}

/**
 * Schema 1 → 2 on the raw JSON, adding only what schema 1 lacks, so that problems are still found (and named) at
 * their place in the file: no token times, RSS timeline, stderr, shard or config start/end; warnings as text;
 * `summary` keyed `<prompt>.<metric>` (dropped: it is recomputed); `startMs` / `warmupMs` and `threadsBatch`
 * missing in the oldest files (then one thread count served both). A missing `asked` is filled by withAddedKeys.
 */
function upgradeSchema1(raw: Record<string, unknown>): Record<string, unknown> {
    const run = isMapping(raw.run) ? { ...raw.run, shard: raw.run.shard ?? null } : raw.run;
    const configs = Array.isArray(raw.configs) ? raw.configs.map((config: unknown) => {
        if (!isMapping(config)) return config;
        const params = isMapping(config.params) && !("threadsBatch" in config.params) ? { ...config.params, threadsBatch: config.params.threads } : config.params;
        const { summary: _derived, ...rest } = config;
        return {
            ...rest,
            params,
            startedAt: null,
            finishedAt: null,
            startMs: config.startMs ?? null,
            warmupMs: config.warmupMs ?? null,
            measurements: Array.isArray(config.measurements)
                ? config.measurements.map((m: unknown) => (isMapping(m) ? { ...m, tokenTimesMs: null } : m)) : config.measurements,
            summary: {},
            warnings: Array.isArray(config.warnings)
                ? config.warnings.map((w: unknown) => (typeof w === "string" ? { kind: "note", text: w } : w)) : config.warnings,
            rssTimeline: [],
            stderr: null
        };
    }) : raw.configs;
    return { ...raw, schema: runFileSchema, run, configs };
}

/**
 * What a schema-1 file of this run would say: the same run without what schema 1 did not record, warnings as their
 * text. Used to tell whether a schema-1 file and a complete record hold the same run.
 */
export function schema1View(file: RunFile): RunFile {
    return {
        ...file,
        run: { ...file.run, shard: null },
        configs: file.configs.map((config) => ({
            ...config,
            params: "threadsBatch" in config.params ? config.params : { ...config.params as Settings, threadsBatch: (config.params as Settings).threads },
            startedAt: null,
            finishedAt: null,
            measurements: config.measurements.map((m) => ({ ...m, tokenTimesMs: null, sequenceTimesMs: null })),
            summary: {},
            parallel: [],
            quality: null,
            warnings: config.warnings.map((w) => (w.kind === "note" ? w : { kind: "note", text: warningText(w) })),
            rssTimeline: [],
            stderr: null
        }))
    };
}

/** What the schema cannot check: ids unique, one measurement per (prompt, rep), summaries that agree, times in order. */
function checkSense(file: RunFile, schema: 1 | 2, fail: (at: SchemaPath, message: string) => never): void {
    const ids = new Map<string, number>();
    file.configs.forEach((config, c) => {
        const twin = ids.get(config.id);
        if (twin != null) fail(["configs", c, "id"], `config id \`${config.id}\` is also configs[${twin}]'s: a config appears once per run`);
        ids.set(config.id, c);
        const reps = new Set<string>();
        const kinds = new Map<string, string>();
        config.measurements.forEach((m, i) => {
            const key = JSON.stringify([m.prompt, m.rep]);
            if (reps.has(key)) fail(["configs", c, "measurements", i], `a second measurement of \`${m.prompt}\` rep ${m.rep}`);
            reps.add(key);
            // a prompt and a test (or the quality pass) by one name would merge in summaries, tables and comparisons
            const kind = kinds.get(m.prompt);
            if (kind != null && kind !== m.kind) fail(["configs", c, "measurements", i, "kind"], `\`${m.prompt}\` is measured as \`${kind}\` and as \`${m.kind}\`: one id names one prompt or test`);
            kinds.set(m.prompt, m.kind);
            if (m.kind === "prompt" && reservedPromptId.test(m.prompt))
                fail(["configs", c, "measurements", i, "prompt"], `expected a prompt id that is not \`quality\` nor shaped like a test id, got \`${m.prompt}\``);
            m.tokenTimesMs?.forEach((t, j) => {
                if (j > 0 && t < m.tokenTimesMs![j - 1]!) fail(["configs", c, "measurements", i, "tokenTimesMs", j], `expected token times in order, got ${t} after ${m.tokenTimesMs![j - 1]}`);
            });
            m.sequenceTimesMs?.forEach((times, k) => times.forEach((t, j) => {
                if (j > 0 && t < times[j - 1]!) fail(["configs", c, "measurements", i, "sequenceTimesMs", k, j], `expected token times in order, got ${t} after ${times[j - 1]}`);
            }));
        });
        if (file.run.shard != null && file.run.shard.index > file.run.shard.count)
            fail(["run", "shard", "index"], `expected a shard index from 1 to ${file.run.shard.count}, got ${file.run.shard.index}`);
        const computed = summarizeMeasurements(config.measurements);
        for (const [prompt, byMetric] of Object.entries(computed))
            for (const [metric, summary] of Object.entries(byMetric))
                if (!Object.values(summary).every(Number.isFinite)) {
                    const i = config.measurements.findIndex((m) => m.prompt === prompt && Object.hasOwn(m.metrics, metric));
                    fail(["configs", c, "measurements", i, "metrics", metric], "values so large that their mean or spread overflows a double: not a measurement");
                }
        // schema 1 carried its summary under other keys (dropped on reading); from schema 2 the summary is always written
        checkSummary(config.summary, computed, ["configs", c, "summary"], schema, fail);
        if (config.quality != null) checkQuality(config.quality, ["configs", c, "quality"], fail);
        config.parallel?.forEach((test, t) => {
            const derived = withKnee(test, computed);
            for (const key of ["knee", "stillRising", "overBudget"] as const)
                if (test[key] !== derived[key])
                    fail(["configs", c, "parallel", t, key], `expected ${String(derived[key])} (recomputed from the measurements), got ${String(test[key])}: the file no longer agrees with itself (edited by hand?)`);
        });
    });
}

/**
 * A quality pass's columns are one entry per scored position (the reference's two together, KLD only with a
 * reference), and its figures are the ones those samples give (to 1e-9, relative), as summaries are checked.
 */
function checkQuality(quality: RunFileQuality, at: SchemaPath, fail: (at: SchemaPath, message: string) => never): void {
    const positions = quality.positions;
    const n = positions.nll.length;
    for (const [name, column] of Object.entries(positions))
        if (column != null && column.length !== n)
            fail([...at, "positions", name], `expected ${n} values (one per scored position, as \`nll\` has), got ${column.length}`);
    if ((positions.nllRef == null) !== (positions.top1Ref == null))
        fail([...at, "positions", positions.nllRef == null ? "nllRef" : "top1Ref"], "expected `nllRef` and `top1Ref` together (both come from the reference)");
    if ((positions.nllRef == null) !== (quality.reference == null))
        fail([...at, "reference"], quality.reference == null ? "expected the reference the `nllRef` samples came from, got null" : "names a reference, but the positions hold no `nllRef` samples");
    if (positions.kld != null && positions.nllRef == null) fail([...at, "positions", "kld"], "KLD samples without a reference");
    if (positions.tailRef != null && positions.kld == null) fail([...at, "positions", "tailRef"], "reference tail masses without KLD samples");
    const computed = qualityFigures(positions);
    for (const name of new Set([...Object.keys(quality.figures), ...Object.keys(computed)])) {
        const w = own(quality.figures, name);
        const c = own(computed, name);
        if (w == null || c == null) fail([...at, "figures", name], w == null ? "missing, but the positions give this figure" : "present, but the positions do not give this figure");
        for (const key of ["value", "unc"] as const)
            if ((w[key] == null) !== (c[key] == null) || (w[key] != null && !close(w[key], c[key]!)))
                fail([...at, "figures", name, key], `expected ${c[key] ?? "no value"} (recomputed from the positions), got ${w[key] ?? "nothing"}: the file no longer agrees with itself (edited by hand?)`);
    }
}

/** The written summary must be the one the measurements give (to 1e-9, relative): a hand edit of either shows here. */
function checkSummary(written: RunFile["configs"][number]["summary"], computed: typeof written, at: SchemaPath, schema: 1 | 2, fail: (at: SchemaPath, message: string) => never) {
    // a schema-1 file's summary was dropped on reading: it is recomputed
    if (schema === 1) return;
    for (const prompt of new Set([...Object.keys(written), ...Object.keys(computed)])) {
        for (const metric of new Set([...Object.keys(own(written, prompt) ?? {}), ...Object.keys(own(computed, prompt) ?? {})])) {
            const w = own(own(written, prompt), metric);
            const c = own(own(computed, prompt), metric);
            if (w == null || c == null)
                fail([...at, prompt, metric], w == null ? "missing, but the measurements have this metric" : "present, but no measurement has this metric");
            for (const key of ["n", "mean", "sd", "median", "min", "max"] as const)
                if (!close(w[key], c[key]))
                    fail([...at, prompt, metric, key], `expected ${c[key]} (recomputed from the measurements), got ${w[key]}: the file no longer agrees with itself (edited by hand?)`);
        }
    }
}

/** Whether a written derived figure is the recomputed one, to 1e-9 relative (what JSON's round trip can change). */
function close(a: number, b: number): boolean {
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-300) || a === b;
}

/** Paths present in `raw` but not in `known` (the file rebuilt from the keys this version reads). */
function unknownKeys(raw: unknown, known: unknown, at: SchemaPath, out: string[]): void {
    if (Array.isArray(raw) && Array.isArray(known)) raw.forEach((item, i) => unknownKeys(item, known[i], [...at, i], out));
    else if (isMapping(raw) && isMapping(known))
        for (const key of Object.keys(raw)) {
            if (!Object.hasOwn(known, key)) out.push(jsonPath([...at, key]));
            else unknownKeys(raw[key], known[key], [...at, key], out);
        }
}

/** `configs[0].measurements[2].metrics.decodeTps`; keys that are not plain names in brackets. */
export function jsonPath(path: SchemaPath): string {
    return path.map((part, i) => typeof part === "number" ? `[${part}]`
        : /^[A-Za-z_$][\w$]*$/.test(part) ? `${i === 0 ? "" : "."}${part}` : `[${JSON.stringify(part)}]`).join("");
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
