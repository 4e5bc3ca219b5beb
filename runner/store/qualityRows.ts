/** A config's quality pass in SQLite (migration 5): one `quality` row and one `quality_positions` row per scored position. */
import type BetterSqlite3 from "better-sqlite3";
import type { QualityPositions, QualityRecord, QualityReference } from "../results.ts";

interface QualityRow {
    config_id: string;
    corpus: string;
    corpus_sha256: string;
    context: number;
    chunks: number;
    corpus_tokens: number;
    reference: string | null;
    ms: number;
    peak_rss_bytes: number;
}

interface PositionRow {
    config_id: string;
    token: number;
    nll: number;
    top1: number;
    nll_ref: number | null;
    top1_ref: number | null;
    kld: number | null;
    tail_ref: number | null;
}

export interface QualityStatements {
    /** Insert a config's quality pass (inside the caller's transaction). */
    write(runId: string, configId: string, quality: QualityRecord): void;
    /** Every quality pass of a run, by config id. */
    read(runId: string): Map<string, QualityRecord>;
}

export function qualityStatements(db: BetterSqlite3.Database): QualityStatements {
    const insertQuality = db.prepare(`
        INSERT INTO quality (run_id, config_id, corpus, corpus_sha256, context, chunks, corpus_tokens, reference, ms, peak_rss_bytes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertPosition = db.prepare(`
        INSERT INTO quality_positions (run_id, config_id, pos, token, nll, top1, nll_ref, top1_ref, kld, tail_ref)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const reader = qualityReader(db);

    return {
        write(runId, configId, q) {
            insertQuality.run(runId, configId, q.corpus.path, q.corpus.sha256, q.context, q.chunks, q.corpusTokens,
                q.reference == null ? null : JSON.stringify(q.reference), q.ms, q.peakRssBytes);
            const p = q.positions;
            for (let i = 0; i < p.nll.length; i++) {
                insertPosition.run(runId, configId, i, p.token[i], p.nll[i], p.top1[i],
                    p.nllRef?.[i] ?? null, p.top1Ref?.[i] ?? null, p.kld?.[i] ?? null, p.tailRef?.[i] ?? null);
            }
        },
        read: (runId) => reader(runId)
    };
}

/**
 * Reads the quality passes of a run (or of every run, `runId` null), by config id (by `run\0config` for every run):
 * SELECTs only, so it works on a readonly connection (the report).
 */
export function qualityReader(db: BetterSqlite3.Database): (runId: string | null) => Map<string, QualityRecord> {
    const selectQuality = db.prepare<[string | null, string | null], QualityRow & { run_id: string }>("SELECT * FROM quality WHERE ? IS NULL OR run_id = ?");
    const selectPositions = db.prepare<[string | null, string | null], PositionRow & { run_id: string }>(`
        SELECT run_id, config_id, token, nll, top1, nll_ref, top1_ref, kld, tail_ref FROM quality_positions
        WHERE ? IS NULL OR run_id = ? ORDER BY run_id, config_id, pos`);
    return (runId) => {
        const key = (row: { run_id: string; config_id: string }) => (runId == null ? `${row.run_id}\u0000${row.config_id}` : row.config_id);
        const positions = new Map<string, QualityPositions>();
        for (const row of selectPositions.iterate(runId, runId)) {
            let p = positions.get(key(row));
            if (p == null) positions.set(key(row), p = { token: [], nll: [], top1: [] });
            p.token.push(row.token);
            p.nll.push(row.nll);
            p.top1.push(row.top1);
            if (row.nll_ref != null) (p.nllRef ??= []).push(row.nll_ref);
            if (row.top1_ref != null) (p.top1Ref ??= []).push(row.top1_ref);
            if (row.kld != null) (p.kld ??= []).push(row.kld);
            if (row.tail_ref != null) (p.tailRef ??= []).push(row.tail_ref);
        }
        const records = new Map<string, QualityRecord>();
        for (const row of selectQuality.all(runId, runId)) {
            records.set(key(row), {
                corpus: { path: row.corpus, sha256: row.corpus_sha256 },
                context: row.context,
                chunks: row.chunks,
                corpusTokens: row.corpus_tokens,
                reference: row.reference == null ? null : JSON.parse(row.reference) as QualityReference,
                ms: row.ms,
                peakRssBytes: row.peak_rss_bytes,
                positions: positions.get(key(row)) ?? { token: [], nll: [], top1: [] }
            });
        }
        return records;
    };
}
