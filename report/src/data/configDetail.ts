/**
 * What one config page shows beyond the summaries: every repetition's figures, token times turned into gaps per
 * position, the RSS timeline, outputs, warnings (worded as the terminal words them) and the stderr tail. Read per page, so the site never holds all raw samples at once.
 */
import type Database from "better-sqlite3";
import type { MeasurementKind, Phase } from "../../../runner/results.ts";
import { storedWarning, warningText, type Warning } from "../../../runner/warnings.ts";
import { interTokenGaps } from "../../../runner/measure/metrics.ts";
import { dict } from "../../../runner/dict.ts";

export interface Repetition {
    prompt: string;
    kind: MeasurementKind;
    rep: number;
    metrics: Record<string, number>;
    /** ms from submitting the prompt to each generated token (stream mode), or null. */
    tokenTimesMs: number[] | null;
}

export interface ConfigDetail {
    repetitions: Repetition[];
    rss: { t: number; bytes: number; phase: Phase }[];
    outputs: Record<string, string>;
    /** Each warning as a sentence (runner/warnings.ts). */
    warnings: string[];
    stderr: string | null;
}


/** Reads the raw records of one config; prepared statements are cached per database. */
export function configDetail(db: Database.Database, runId: string, configId: string): ConfigDetail {
    const s = statements(db);
    const metrics = new Map<number, Record<string, number>>();
    for (const row of s.metrics.all(runId, configId)) {
        let m = metrics.get(row.measurement_id);
        if (m == null) metrics.set(row.measurement_id, m = dict());
        m[row.name] = row.value;
    }
    const repetitions = s.measurements.all(runId, configId).map((row): Repetition => ({
        prompt: row.prompt, kind: row.kind, rep: row.rep, metrics: metrics.get(row.id) ?? dict(),
        tokenTimesMs: row.token_times_ms == null ? null : JSON.parse(row.token_times_ms) as number[]
    }));
    const rss = s.rss.all(runId, configId).map((row) => ({ t: row.t_ms, bytes: row.bytes, phase: row.phase }));
    const config = s.config.get(runId, configId);
    return {
        repetitions, rss,
        outputs: config == null ? {} : JSON.parse(config.outputs) as Record<string, string>,
        warnings: config == null ? [] : (JSON.parse(config.warnings) as (string | Warning)[]).map((w) => warningText(storedWarning(w))),
        stderr: config?.stderr ?? null
    };
}

/** Gaps between consecutive generated tokens by position (token 2 onward): the ITL the summaries are made of. */
export function gapsByPosition(tokenTimesMs: readonly number[]): { position: number; gapMs: number }[] {
    return interTokenGaps(tokenTimesMs).map((gapMs, i) => ({ position: i + 2, gapMs }));
}

const cache = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

function statements(db: Database.Database) {
    let s = cache.get(db);
    if (s == null) cache.set(db, s = prepare(db));
    return s;
}

function prepare(db: Database.Database) {
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
