/**
 * What one config page shows beyond the summaries: every repetition's figures, token times turned into gaps per
 * position, the RSS timeline, outputs, warnings (worded as the terminal words them) and the stderr tail. Read per page, so the site never holds all raw samples at once.
 */
import type Database from "better-sqlite3";
import type { RssSample } from "../../../runner/results.ts";
import { warningText } from "../../../runner/warnings.ts";
import { interTokenGaps } from "../../../runner/stats/metrics.ts";
import { readConfigRaw, type StoredConfigRaw } from "../../../runner/store/siteReader.ts";

/** One repetition's figures; `tokenTimesMs` (ms from submitting the prompt to each generated token, stream mode) or null. */
export type Repetition = StoredConfigRaw["measurements"][number];

export interface ConfigDetail {
    repetitions: Repetition[];
    rss: RssSample[];
    outputs: Record<string, string>;
    /** Each warning as a sentence (runner/warnings.ts). */
    warnings: string[];
    stderr: string | null;
}


/** The raw records of one config (through the store's read API), warnings worded as the terminal words them. */
export function configDetail(db: Database.Database, runId: string, configId: string): ConfigDetail {
    const raw = readConfigRaw(db, runId, configId);
    return {
        repetitions: raw.measurements, rss: raw.rss, outputs: raw.outputs,
        warnings: raw.warnings.map(warningText), stderr: raw.stderr
    };
}

/** Gaps between consecutive generated tokens by position (token 2 onward): the ITL the summaries are made of. */
export function gapsByPosition(tokenTimesMs: readonly number[]): { position: number; gapMs: number }[] {
    return interTokenGaps(tokenTimesMs).map((gapMs, i) => ({ position: i + 2, gapMs }));
}
