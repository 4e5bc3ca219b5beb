/**
 * The store's read API for the report: every run, every config with its summaries recomputed from the raw samples
 * (stats/summarize.ts, as the CLI does), one config's raw records, and one whole run as the store rebuilds it (what
 * runner/recommend ranks). SELECTs only, so it works on the read-only
 * connection `openResults` gives; the report runs no SQL of its own.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { ConfigRecord, ConfigStatus, EngineInfo, MachineLoad, Measurement, MeasurementKind, ModelInfo, Phase, QualityRecord, RssSample, RunRecord, Summaries } from "../results.ts";
import { samplesByPrompt, summarizeMeasurements } from "../stats/summarize.ts";
import type { ParallelTest, Settings } from "../suite/types.ts";
import { storedWarning, type Warning } from "../warnings.ts";
import { qualityReader } from "./qualityRows.ts";
import type { RunFileMeasurement } from "./runFile.ts";
import { runRecord, Store, type ConfigRow, type RunRow } from "./store.ts";
import { dict } from "../dict.ts";

type Db = BetterSqlite3.Database;

/** One config of one run with summaries of its repetitions (no raw samples: `readConfigRaw` reads those). */
export interface StoredConfigSummary {
    runId: string;
    id: string;
    /** Order of first save within the run. */
    position: number;
    label: string;
    status: ConfigStatus;
    error: string | null;
    model: ModelInfo | null;
    params: Settings;
    /** The llama.cpp binary the config ran on; null when not recorded. */
    engine: EngineInfo | null;
    loadMs: number | null;
    peakRssBytes: number | null;
    vramBytes: number | null;
    /** Null for a config imported from a schema-1 run file, which did not record it. */
    startedAt: string | null;
    /** Prompt or test id → metric → Summary, from the raw samples. */
    summaries: Summaries;
    /** Prompt and test ids in the order they were measured. */
    prompts: string[];
    /** The quality pass with its per-position samples; null without one. */
    quality: QualityRecord | null;
    /** What the machine was doing while the config ran (runner/exec/machineLoad.ts); null when not recorded. */
    machineLoad: MachineLoad | null;
    /** The config's parallel (serving-load) tests as asked; their levels' figures are `summaries["np4:…"]`; absent or empty without any. */
    parallel?: ParallelTest[];
}

/** One config's raw records. */
export interface StoredConfigRaw {
    /** Every repetition in the order it was saved; `tokenTimesMs` null where tokens were not timed. */
    measurements: RunFileMeasurement[];
    rss: RssSample[];
    outputs: Record<string, string>;
    warnings: Warning[];
    stderr: string | null;
}

/** Every run (no configs), newest first. */
export function readRuns(db: Db): RunRecord[] {
    return db.prepare<[], RunRow>("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC").all().map(runRecord);
}

/** Every config of every run, newest run first, then by position. */
export function readConfigSummaries(db: Db): StoredConfigSummary[] {
    type Row = Pick<ConfigRow, "id" | "label" | "status" | "error" | "model" | "params" | "load_ms" | "peak_rss_bytes" | "vram_bytes" | "started_at" | "machine_load" | "engine" | "parallel"> & { run_id: string; position: number };
    const rows = db.prepare<[], Row>(`
        SELECT c.run_id, c.id, c.position, c.label, c.status, c.error, c.model, c.params, c.load_ms,
               c.peak_rss_bytes, c.vram_bytes, c.started_at, c.machine_load, c.engine, c.parallel
        FROM configs c JOIN runs r ON r.id = c.run_id
        ORDER BY r.started_at DESC, r.rowid DESC, c.position`).all();
    const samples = readSamples(db);
    const quality = qualityReader(db)(null);
    return rows.map((row): StoredConfigSummary => {
        const key = `${row.run_id}\u0000${row.id}`;
        const measured = samples.get(key) ?? [];
        return {
            runId: row.run_id, id: row.id, position: row.position, label: row.label, status: row.status,
            error: row.error, model: row.model == null ? null : JSON.parse(row.model) as ModelInfo,
            params: JSON.parse(row.params) as Settings, engine: row.engine == null ? null : JSON.parse(row.engine) as EngineInfo,
            loadMs: row.load_ms, peakRssBytes: row.peak_rss_bytes,
            vramBytes: row.vram_bytes, startedAt: row.started_at,
            summaries: summarizeMeasurements(measured), prompts: [...samplesByPrompt(measured).keys()],
            quality: quality.get(key) ?? null,
            machineLoad: row.machine_load == null ? null : JSON.parse(row.machine_load) as MachineLoad,
            parallel: row.parallel == null ? [] : JSON.parse(row.parallel) as ParallelTest[]
        };
    });
}

/** run\0config → its measurements' prompts and metrics, in the order they were saved. */
function readSamples(db: Db): Map<string, Pick<Measurement, "prompt" | "metrics">[]> {
    const rows = db.prepare(`
        SELECT m.run_id, m.config_id, m.id, m.prompt, x.name, x.value
        FROM measurements m JOIN metrics x ON x.measurement_id = m.id
        ORDER BY m.id`).raw().iterate() as IterableIterator<[string, string, number, string, string, number]>;
    const result = new Map<string, Pick<Measurement, "prompt" | "metrics">[]>();
    let last: { id: number; metrics: Record<string, number> } | undefined;
    for (const [runId, configId, id, prompt, name, value] of rows) {
        if (last?.id !== id) {
            const key = `${runId}\u0000${configId}`;
            let list = result.get(key);
            if (list == null) result.set(key, list = []);
            last = { id, metrics: dict<number>() };
            list.push({ prompt, metrics: last.metrics });
        }
        last.metrics[name] = value;
    }
    return result;
}

const stores = new WeakMap<Db, Store>();

/**
 * One run and every config's full record (raw samples, quality pass), rebuilt from rows as `Store.getRun` does for
 * the CLI; null when there is no run with that id.
 */
export function readRun(db: Db, runId: string): { run: RunRecord; configs: ConfigRecord[] } | null {
    let store = stores.get(db);
    if (store == null) stores.set(db, store = new Store(db));
    const saved = store.getRun(runId);
    // getRun also takes the alias `latest`; the report names runs by id only
    return saved?.run.id === runId ? saved : null;
}

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

/** The raw records of one config; prepared statements are cached per database. */
export function readConfigRaw(db: Db, runId: string, configId: string): StoredConfigRaw {
    let s = cache.get(db);
    if (s == null) cache.set(db, s = prepare(db));
    const metrics = new Map<number, Record<string, number>>();
    for (const row of s.metrics.all(runId, configId)) {
        let m = metrics.get(row.measurement_id);
        if (m == null) metrics.set(row.measurement_id, m = dict());
        m[row.name] = row.value;
    }
    const measurements = s.measurements.all(runId, configId).map((row) => ({
        prompt: row.prompt, kind: row.kind, rep: row.rep, metrics: metrics.get(row.id) ?? dict(),
        tokenTimesMs: row.token_times_ms == null ? null : JSON.parse(row.token_times_ms) as number[]
    }));
    const rss = s.rss.all(runId, configId).map((row): RssSample => ({ t: row.t_ms, bytes: row.bytes, phase: row.phase }));
    const config = s.config.get(runId, configId);
    return {
        measurements, rss,
        outputs: config == null ? {} : JSON.parse(config.outputs) as Record<string, string>,
        warnings: config == null ? [] : (JSON.parse(config.warnings) as (string | Warning)[]).map(storedWarning),
        stderr: config?.stderr ?? null
    };
}

function prepare(db: Db) {
    return {
        measurements: db.prepare<[string, string], { id: number; kind: MeasurementKind; prompt: string; rep: number; token_times_ms: string | null }>(
            "SELECT id, kind, prompt, rep, token_times_ms FROM measurements WHERE run_id = ? AND config_id = ? ORDER BY id"),
        metrics: db.prepare<[string, string], { measurement_id: number; name: string; value: number }>(`
            SELECT x.measurement_id, x.name, x.value FROM metrics x JOIN measurements m ON m.id = x.measurement_id
            WHERE m.run_id = ? AND m.config_id = ? ORDER BY x.measurement_id, x.name`),
        rss: db.prepare<[string, string], { t_ms: number; bytes: number; phase: Phase }>(
            "SELECT t_ms, bytes, phase FROM rss_samples WHERE run_id = ? AND config_id = ? ORDER BY seq"),
        config: db.prepare<[string, string], { outputs: string; warnings: string; stderr: string | null }>(
            "SELECT outputs, warnings, stderr FROM configs WHERE run_id = ? AND id = ?")
    };
}
