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
