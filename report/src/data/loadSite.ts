/**
 * Loads every run and config once at build time through the store's read API (runner/store/siteReader.ts: summaries
 * recomputed from the raw samples as the CLI does). Raw samples that only a config page shows are read by `configDetail`.
 */
import type Database from "better-sqlite3";
import type { QualityRecord } from "../../../runner/results.ts";
import { qualitySummaries } from "../../../runner/stats/qualityFigures.ts";
import { machineKey } from "../../../runner/store/machineKey.ts";
import { readConfigSummaries, readRuns } from "../../../runner/store/siteReader.ts";
import { machineName } from "./machineName.ts";
import { modelFamily } from "./modelFamily.ts";
import type { ConfigView, QualityFacts, RunView, SiteData } from "./types.ts";

/** Read the whole database into the site's shapes. `db` null (no database yet) gives an empty site. */
export function loadSite(db: Database.Database | null, source: string | null = null): SiteData {
    if (db == null) return { source: null, runs: [], configs: [] };
    const configs = readConfigSummaries(db).map(({ quality: pass, ...stored }): ConfigView => {
        const family = modelFamily(stored.model, stored.label);
        const { summaries, prompts } = stored;
        // a quality pass shows as the pseudo-prompt `quality`, its figures recomputed from its per-position samples
        if (pass != null && pass.positions.nll.length > 0) {
            summaries.quality = qualitySummaries(pass.positions);
            prompts.push("quality");
        }
        return {
            ...stored, family: family.name, quant: family.quant, synthetic: family.synthetic,
            quality: pass == null ? null : qualityFacts(pass)
        };
    });

    const byRun = new Map<string, ConfigView[]>();
    for (const config of configs) {
        const list = byRun.get(config.runId);
        if (list == null) byRun.set(config.runId, [config]);
        else list.push(config);
    }
    const runs = readRuns(db).map((run): RunView => {
        const statusCounts: RunView["statusCounts"] = {};
        for (const config of byRun.get(run.id) ?? []) statusCounts[config.status] = (statusCounts[config.status] ?? 0) + 1;
        return {
            ...run, machineKey: machineKey(run.machine), machineName: machineName(run.machine),
            configCount: byRun.get(run.id)?.length ?? 0, statusCounts
        };
    });
    return { source, runs, configs };
}

function qualityFacts({ positions, corpus, ...pass }: QualityRecord): QualityFacts {
    return { ...pass, corpus: corpus.path, corpusSha256: corpus.sha256, scored: positions.nll.length };
}
