/** Reads and writes runs in SQLite: one transaction per finished config, summaries recomputed from raw samples. */
import type BetterSqlite3 from "better-sqlite3";
import type { ConfigRecord, ConfigStatus, EngineInfo, MachineLoad, Measurement, MeasurementKind, ModelInfo, Phase, QualityRecord, RssSample, RunRecord, RunStatus } from "../results.ts";
import type { ParallelTest, Settings } from "../suite/types.ts";
import { summarizeMeasurements } from "../stats/summarize.ts";
import { openDatabase, type OpenDatabaseOptions } from "./db.ts";
import { qualityStatements, type QualityStatements } from "./qualityRows.ts";
import { storedWarning, type Warning } from "../warnings.ts";
import { dict } from "../dict.ts";

type Db = BetterSqlite3.Database;

/** A row of `runs`, as SQLite returns it. */
export interface RunRow {
    id: string;
    suite_name: string;
    suite_path: string;
    suite_sha256: string;
    started_at: string;
    finished_at: string | null;
    status: RunStatus;
    git_commit: string | null;
    git_dirty: 0 | 1 | null;
    machine: string;
    shard_index: number | null;
    shard_count: number | null;
    source: string | null;
}

/** A row of `configs`, as SQLite returns it. */
export interface ConfigRow {
    id: string;
    label: string;
    status: ConfigStatus;
    error: string | null;
    model: string | null;
    params: string;
    asked: string | null;
    parallel: string | null;
    machine_load: string | null;
    engine: string | null;
    load_ms: number | null;
    start_ms: number | null;
    warmup_ms: number | null;
    peak_rss_bytes: number | null;
    vram_bytes: number | null;
    outputs: string;
    warnings: string;
    stderr: string | null;
    started_at: string | null;
    finished_at: string | null;
}

interface MeasurementRow {
    id: number;
    config_id: string;
    kind: MeasurementKind;
    prompt: string;
    rep: number;
    token_times_ms: string | null;
    sequence_times_ms: string | null;
}

interface MetricRow {
    measurement_id: number;
    name: string;
    value: number;
}

interface RssRow {
    config_id: string;
    t_ms: number;
    bytes: number;
    phase: Phase;
}

/** The id `getRun` and the CLI accept for the most recently started run. */
export const latestRunAlias = "latest";

export class Store {
    readonly db: Db;
    private readonly statements;
    private readonly quality: QualityStatements;
    private readonly saveConfigTransaction;

    constructor(db: Db) {
        this.db = db;
        const prepare = <Row = unknown>(sql: string) => db.prepare<unknown[], Row>(sql);
        this.statements = {
            insertRun: prepare(`
                INSERT INTO runs (id, suite_name, suite_path, suite_sha256, started_at, finished_at, status, git_commit, git_dirty, machine,
                                  shard_index, shard_count, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
            finishRun: prepare("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?"),
            latestRun: prepare<string>("SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").pluck(),
            runIds: prepare<string>("SELECT id FROM runs ORDER BY started_at, rowid").pluck(),
            runs: prepare<RunRow>("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC"),
            run: prepare<RunRow>("SELECT * FROM runs WHERE id = ?"),
            configPosition: prepare<number>("SELECT position FROM configs WHERE run_id = ? AND id = ?").pluck(),
            nextPosition: prepare<number>("SELECT coalesce(max(position) + 1, 0) FROM configs WHERE run_id = ?").pluck(),
            deleteConfig: prepare("DELETE FROM configs WHERE run_id = ? AND id = ?"),
            insertConfig: prepare(`
                INSERT INTO configs (run_id, id, position, label, status, error, model, params, load_ms, peak_rss_bytes,
                                     vram_bytes, outputs, warnings, stderr, started_at, finished_at, start_ms, warmup_ms, asked, machine_load, engine, parallel)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
            insertMeasurement: prepare(`
                INSERT INTO measurements (run_id, config_id, kind, prompt, rep, token_times_ms, sequence_times_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`),
            insertMetric: prepare("INSERT INTO metrics (measurement_id, name, value) VALUES (?, ?, ?)"),
            insertRss: prepare("INSERT INTO rss_samples (run_id, config_id, seq, t_ms, bytes, phase) VALUES (?, ?, ?, ?, ?, ?)"),
            configs: prepare<ConfigRow>("SELECT * FROM configs WHERE run_id = ? ORDER BY position"),
            configStatuses: prepare<Pick<ConfigRow, "id" | "status">>("SELECT id, status FROM configs WHERE run_id = ? ORDER BY position"),
            measurements: prepare<MeasurementRow>(`
                SELECT id, config_id, kind, prompt, rep, token_times_ms, sequence_times_ms FROM measurements WHERE run_id = ? ORDER BY id`),
            metrics: prepare<MetricRow>(`
                SELECT x.measurement_id, x.name, x.value
                FROM metrics x JOIN measurements m ON m.id = x.measurement_id
                WHERE m.run_id = ? ORDER BY x.measurement_id, x.name`),
            rssSamples: prepare<RssRow>("SELECT config_id, t_ms, bytes, phase FROM rss_samples WHERE run_id = ? ORDER BY config_id, seq")
        };
        this.quality = qualityStatements(db);
        this.saveConfigTransaction = db.transaction((runId: string, rec: ConfigRecord) => this.writeConfig(runId, rec));
    }

    /** Open the database at `path` (see `openDatabase`) and wrap it. */
    static open(path: string, opts?: OpenDatabaseOptions): Store {
        return new Store(openDatabase(path, opts));
    }

    /** Add a run (no configs yet). `source`: the run file it is imported from; omitted when bench records it here. */
    createRun(run: RunRecord, source?: string): void {
        this.statements.insertRun.run(
            run.id, run.suite.name, run.suite.path, run.suite.sha256, run.startedAt, run.finishedAt, run.status,
            run.git.commit, run.git.dirty == null ? null : run.git.dirty ? 1 : 0, JSON.stringify(run.machine),
            run.shard?.index ?? null, run.shard?.count ?? null, source ?? null
        );
    }

    /**
     * Save one finished config with all its measurements, raw metric samples and RSS samples in one transaction:
     * either all of it is stored or none. Saving the same (run, config) again replaces it and keeps its position.
     */
    saveConfig(runId: string, rec: ConfigRecord): void {
        this.saveConfigTransaction.immediate(runId, rec);
    }

    finishRun(runId: string, status: RunStatus, finishedAt: string | null): void {
        const { changes } = this.statements.finishRun.run(status, finishedAt, runId);
        if (changes === 0) throw new Error(`No run \`${runId}\` in the database`);
    }

    /** The run file a run was imported from; null when bench recorded it here (or there is no such run). */
    runSource(runId: string): string | null {
        return this.statements.run.get(runId)?.source ?? null;
    }

    /** Ids of every run, oldest first. */
    runIds(): string[] {
        return this.statements.runIds.all();
    }

    /** Every run's record (no configs), newest first. */
    runs(): RunRecord[] {
        return this.statements.runs.all().map(runRecord);
    }

    /** Id of the most recently started run, or null when there is none. */
    latestRunId(): string | null {
        return this.statements.latestRun.get() ?? null;
    }

    /**
     * A run and its configs in the order they were first saved, rebuilt from rows; each config's `summary` is
     * recomputed from its raw samples. `idOrLatest` is a run id or `latest`. Null when there is no such run.
     */
    getRun(idOrLatest: string): { run: RunRecord; configs: ConfigRecord[] } | null {
        const id = idOrLatest === latestRunAlias ? this.latestRunId() : idOrLatest;
        if (id == null) return null;
        const row = this.statements.run.get(id);
        if (row == null) return null;

        const metricsByMeasurement = new Map<number, Record<string, number>>();
        for (const metric of this.statements.metrics.all(id)) {
            let metrics = metricsByMeasurement.get(metric.measurement_id);
            if (metrics == null) metricsByMeasurement.set(metric.measurement_id, metrics = dict());
            metrics[metric.name] = metric.value;
        }
        const measurementsByConfig = groupBy(this.statements.measurements.all(id), (m) => m.config_id, (m): Measurement => {
            const measurement: Measurement = { kind: m.kind, prompt: m.prompt, rep: m.rep, metrics: metricsByMeasurement.get(m.id) ?? dict() };
            if (m.token_times_ms != null) measurement.tokenTimesMs = JSON.parse(m.token_times_ms) as number[];
            if (m.sequence_times_ms != null) measurement.sequenceTimesMs = JSON.parse(m.sequence_times_ms) as number[][];
            return measurement;
        });
        const rssByConfig = groupBy(this.statements.rssSamples.all(id), (r) => r.config_id,
            (r): RssSample => ({ t: r.t_ms, bytes: r.bytes, phase: r.phase }));
        const qualityByConfig: Map<string, QualityRecord> = this.quality.read(id);

        const configs = this.statements.configs.all(id).map((c): ConfigRecord => {
            const measurements = measurementsByConfig.get(c.id) ?? [];
            const rec: ConfigRecord = {
                id: c.id,
                label: c.label,
                status: c.status,
                error: c.error,
                model: c.model == null ? null : JSON.parse(c.model) as ModelInfo,
                params: JSON.parse(c.params) as Settings,
                startMs: c.start_ms,
                loadMs: c.load_ms,
                warmupMs: c.warmup_ms,
                engine: c.engine == null ? null : JSON.parse(c.engine) as EngineInfo,
                peakRssBytes: c.peak_rss_bytes,
                vramBytes: c.vram_bytes,
                measurements,
                summary: summarizeMeasurements(measurements),
                quality: qualityByConfig.get(c.id) ?? null,
                outputs: JSON.parse(c.outputs) as Record<string, string>,
                rssTimeline: rssByConfig.get(c.id) ?? [],
                warnings: (JSON.parse(c.warnings) as (string | Warning)[]).map(storedWarning),
                startedAt: c.started_at,
                finishedAt: c.finished_at
            };
            if (c.stderr != null) rec.stderr = c.stderr;
            if (c.asked != null) rec.asked = JSON.parse(c.asked) as Partial<Settings>;
            if (c.machine_load != null) rec.machineLoad = JSON.parse(c.machine_load) as MachineLoad;
            if (c.parallel != null) rec.parallel = JSON.parse(c.parallel) as ParallelTest[];
            return rec;
        });

        return { run: runRecord(row), configs };
    }

    /** Status of each config saved for a run, by config id (what --resume skips). */
    configStatuses(runId: string): Map<string, ConfigStatus> {
        return new Map(this.statements.configStatuses.all(runId).map((row) => [row.id, row.status]));
    }

    close(): void {
        this.db.close();
    }

    private writeConfig(runId: string, rec: ConfigRecord): void {
        const s = this.statements;
        const previous = s.configPosition.get(runId, rec.id);
        // measurements, metrics and rss samples of a previous save go with it (ON DELETE CASCADE)
        if (previous != null) s.deleteConfig.run(runId, rec.id);
        const position = previous ?? s.nextPosition.get(runId)!;

        s.insertConfig.run(
            runId, rec.id, position, rec.label, rec.status, rec.error,
            rec.model == null ? null : JSON.stringify(rec.model), JSON.stringify(rec.params),
            rec.loadMs, rec.peakRssBytes, rec.vramBytes,
            JSON.stringify(rec.outputs), JSON.stringify(rec.warnings), rec.stderr ?? null,
            rec.startedAt, rec.finishedAt, rec.startMs, rec.warmupMs, rec.asked == null ? null : JSON.stringify(rec.asked),
            rec.machineLoad == null ? null : JSON.stringify(rec.machineLoad),
            rec.engine == null ? null : JSON.stringify(rec.engine),
            rec.parallel == null || rec.parallel.length === 0 ? null : JSON.stringify(rec.parallel)
        );
        for (const m of rec.measurements) {
            const { lastInsertRowid } = s.insertMeasurement.run(
                runId, rec.id, m.kind, m.prompt, m.rep, m.tokenTimesMs == null ? null : JSON.stringify(m.tokenTimesMs),
                m.sequenceTimesMs == null ? null : JSON.stringify(m.sequenceTimesMs)
            );
            for (const [name, value] of Object.entries(m.metrics)) s.insertMetric.run(lastInsertRowid, name, value);
        }
        rec.rssTimeline.forEach((sample, seq) => s.insertRss.run(runId, rec.id, seq, sample.t, sample.bytes, sample.phase));
        if (rec.quality != null) this.quality.write(runId, rec.id, rec.quality);
    }
}

/** A `runs` row as the run record. */
export function runRecord(row: RunRow): RunRecord {
    return {
        id: row.id,
        suite: { name: row.suite_name, path: row.suite_path, sha256: row.suite_sha256 },
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        status: row.status,
        git: { commit: row.git_commit, dirty: row.git_dirty == null ? null : row.git_dirty === 1 },
        machine: JSON.parse(row.machine) as RunRecord["machine"],
        shard: row.shard_index == null || row.shard_count == null ? null : { index: row.shard_index, count: row.shard_count }
    };
}

function groupBy<T, V>(items: readonly T[], key: (item: T) => string, map: (item: T) => V): Map<string, V[]> {
    const groups = new Map<string, V[]>();
    for (const item of items) {
        const k = key(item);
        const list = groups.get(k);
        if (list == null) groups.set(k, [map(item)]);
        else list.push(map(item));
    }
    return groups;
}
