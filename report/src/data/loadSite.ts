/**
 * Loads every run and config once at build time, with summaries recomputed from the raw samples (the same
 * `computeStatistics` the CLI uses). Raw samples that only a config page shows are read by `configDetail`.
 */
import type Database from "better-sqlite3";
import type { ConfigStatus, MachineInfo, ModelInfo, QualityRecord, RunStatus, Summaries } from "../../../runner/results.ts";
import type { ParallelTest, Settings } from "../../../runner/suite/types.ts";
import { computeStatistics } from "../../../runner/stats/computeStatistics.ts";
import { qualitySummaries } from "../../../runner/stats/qualityFigures.ts";
import { qualityReader } from "../../../runner/store/qualityRows.ts";
import { machineKey } from "../../../runner/store/machineKey.ts";
import { machineName } from "./machineName.ts";
import { modelFamily } from "./modelFamily.ts";
import type { ConfigView, QualityFacts, RunView, SiteData } from "./types.ts";

interface RunRow {
    id: string; suite_name: string; suite_path: string; suite_sha256: string; started_at: string;
    finished_at: string | null; status: RunStatus; git_commit: string | null; git_dirty: 0 | 1 | null; machine: string;
    shard_index: number | null; shard_count: number | null;
}
interface ConfigRow {
    run_id: string; id: string; position: number; label: string; status: ConfigStatus; error: string | null;
    model: string | null; params: string; load_ms: number | null; peak_rss_bytes: number | null;
    vram_bytes: number | null; started_at: string | null; parallel: string | null;
}

/** Read the whole database into the site's shapes. `db` null (no database yet) gives an empty site. */
export function loadSite(db: Database.Database | null, source: string | null = null): SiteData {
    if (db == null) return { source: null, runs: [], configs: [] };
    const runRows = db.prepare<[], RunRow>("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC").all();
    const configRows = db.prepare<[], ConfigRow>(`
        SELECT c.run_id, c.id, c.position, c.label, c.status, c.error, c.model, c.params, c.load_ms,
               c.peak_rss_bytes, c.vram_bytes, c.started_at, c.parallel
        FROM configs c JOIN runs r ON r.id = c.run_id
        ORDER BY r.started_at DESC, r.rowid DESC, c.position`).all();

    const samples = readSamples(db);
    const quality = qualityReader(db)(null);
    const configs = configRows.map((row): ConfigView => {
        const model = row.model == null ? null : JSON.parse(row.model) as ModelInfo;
        const family = modelFamily(model, row.label);
        const key = `${row.run_id}\u0000${row.id}`;
        const bySample = samples.get(key);
        const summaries = bySample == null ? {} : summarize(bySample);
        const prompts = bySample == null ? [] : [...bySample.keys()];
        // a quality pass shows as the pseudo-prompt `quality`, its figures recomputed from its per-position samples
        const pass = quality.get(key);
        if (pass != null && pass.positions.nll.length > 0) {
            summaries.quality = qualitySummaries(pass.positions);
            prompts.push("quality");
        }
        return {
            runId: row.run_id, id: row.id, position: row.position, label: row.label, status: row.status,
            error: row.error, model, params: JSON.parse(row.params) as Settings, loadMs: row.load_ms,
            peakRssBytes: row.peak_rss_bytes, vramBytes: row.vram_bytes, startedAt: row.started_at,
            summaries, prompts, family: family.name, quant: family.quant, synthetic: family.synthetic,
            quality: pass == null ? null : qualityFacts(pass),
            parallel: row.parallel == null ? [] : JSON.parse(row.parallel) as ParallelTest[]
        };
    });

    const byRun = new Map<string, ConfigView[]>();
    for (const config of configs) {
        const list = byRun.get(config.runId);
        if (list == null) byRun.set(config.runId, [config]);
        else list.push(config);
    }
    const runs = runRows.map((row): RunView => {
        const machine = JSON.parse(row.machine) as MachineInfo;
        const statusCounts: RunView["statusCounts"] = {};
        for (const config of byRun.get(row.id) ?? []) statusCounts[config.status] = (statusCounts[config.status] ?? 0) + 1;
        return {
            id: row.id, suite: { name: row.suite_name, path: row.suite_path, sha256: row.suite_sha256 },
            startedAt: row.started_at, finishedAt: row.finished_at, status: row.status,
            git: { commit: row.git_commit, dirty: row.git_dirty == null ? null : row.git_dirty === 1 },
            machine, machineKey: machineKey(machine), machineName: machineName(machine),
            shard: row.shard_index == null || row.shard_count == null ? null : { index: row.shard_index, count: row.shard_count },
            configCount: byRun.get(row.id)?.length ?? 0, statusCounts
        };
    });
    return { source, runs, configs };
}

function qualityFacts({ positions, corpus, ...pass }: QualityRecord): QualityFacts {
    return { ...pass, corpus: corpus.path, corpusSha256: corpus.sha256, scored: positions.nll.length };
}

/** run\0config → prompt (in measured order) → metric → raw values in repetition order. */
function readSamples(db: Database.Database): Map<string, Map<string, Map<string, number[]>>> {
    const rows = db.prepare(`
        SELECT m.run_id, m.config_id, m.prompt, x.name, x.value
        FROM measurements m JOIN metrics x ON x.measurement_id = m.id
        ORDER BY m.id`).raw().iterate() as IterableIterator<[string, string, string, string, number]>;
    const result = new Map<string, Map<string, Map<string, number[]>>>();
    for (const [runId, configId, prompt, name, value] of rows) {
        const key = `${runId}\u0000${configId}`;
        let byPrompt = result.get(key);
        if (byPrompt == null) result.set(key, byPrompt = new Map());
        let byMetric = byPrompt.get(prompt);
        if (byMetric == null) byPrompt.set(prompt, byMetric = new Map());
        const values = byMetric.get(name);
        if (values == null) byMetric.set(name, [value]);
        else values.push(value);
    }
    return result;
}

function summarize(byPrompt: Map<string, Map<string, number[]>>): Summaries {
    const summaries: Summaries = {};
    for (const [prompt, byMetric] of byPrompt) {
        const summary: Summaries[string] = {};
        for (const [metric, values] of byMetric) summary[metric] = computeStatistics(values);
        summaries[prompt] = summary;
    }
    return summaries;
}
