/**
 * The site's data, loaded once per build from the database `npm run report` names (`GGUF_BENCH_REPORT_DB`, set by
 * the command; else `GGUF_BENCH_DB`, else `results/bench.db`: runner/paths.ts). Every page imports this module and shares one load.
 */
import { reportDatabasePath } from "../../../runner/paths.ts";
import type Database from "better-sqlite3";
import { loadSite } from "./loadSite.ts";
import { openResults } from "../../../runner/store/openResults.ts";
import { configDetail, type ConfigDetail } from "./configDetail.ts";
import type { SiteData } from "./types.ts";
import { recommendations as recommend, type Recommendations } from "./recommendations.ts";
import { latestSections } from "./sections.ts";
import { readRun } from "../../../runner/store/siteReader.ts";
import type { ConfigRecord, RunRecord } from "../../../runner/results.ts";
import type { ConfigView } from "./types.ts";

/** The database path the build reads (runner/paths.ts). */
export { reportDatabasePath };

let loaded: { db: Database.Database | null; site: SiteData } | undefined;

function load() {
    if (loaded == null) {
        const source = reportDatabasePath();
        const db = openResults(source);
        loaded = { db, site: loadSite(db, db == null ? null : source) };
    }
    return loaded;
}

/** Every run and config, loaded on first use. */
export function site(): SiteData {
    return load().site;
}

/** The raw records of one config (see `configDetail`). */
export function detail(runId: string, configId: string): ConfigDetail {
    const { db } = load();
    if (db == null) throw new Error("No results database: there are no config pages to build");
    return configDetail(db, runId, configId);
}

const savedRuns = new Map<string, { run: RunRecord; configs: ConfigRecord[] } | null>();

/** One whole run with its configs' raw samples, read through the store's read API once per build. */
function savedRun(runId: string): { run: RunRecord; configs: ConfigRecord[] } | null {
    const { db } = load();
    if (db == null) return null;
    if (!savedRuns.has(runId)) savedRuns.set(runId, readRun(db, runId));
    return savedRuns.get(runId)!;
}

let recommended: Recommendations | undefined;

/** Which quant to run, per summary section (see `recommendations`); computed once per build. */
export function recommendations(): Recommendations | null {
    const { db, site: data } = load();
    if (db == null) return null;
    return (recommended ??= recommend(savedRun, latestSections(data)));
}

const runConfigs = new Map<string, Map<string, ConfigRecord>>();

/** The raw repetitions of `metric` on one config's prompt/test, read through the store once per run (trade-off intervals). */
export function samplesOf(config: ConfigView, prompt: string, metric: string): number[] | null {
    let configs = runConfigs.get(config.runId);
    if (configs == null) {
        const saved = savedRun(config.runId);
        if (saved == null) return null;
        configs = new Map(saved.configs.map((record) => [record.id, record]));
        runConfigs.set(config.runId, configs);
    }
    const record = configs.get(config.id);
    if (record == null) return null;
    return record.measurements.filter((m) => m.prompt === prompt && Number.isFinite(m.metrics[metric])).map((m) => m.metrics[metric]!);
}
