/**
 * What the summary pages show: for each suite and machine, its newest run that saved any config, with the other
 * shards of it when that run is one part of `bench --shard K/N` (`shardSet`, the rule compare's `latest` follows).
 */
import { shardSet } from "../../../runner/store/shardSet.ts";
import type { ConfigView, RunView, SiteData } from "./types.ts";

export interface Section {
    /** The runs shown: one, or the shards of one sharded run in shard order. */
    runs: RunView[];
    /** Their configs: run (shard) order, then position. */
    configs: ConfigView[];
    /** Configs that ran to the end (`ok`): the ones with figures. */
    ok: ConfigView[];
}

/** The run's configs, in run order. */
export function runConfigs(site: SiteData, runId: string): ConfigView[] {
    return site.configs.filter((config) => config.runId === runId);
}

/** The suite path `bench --model … --prompt …` records: a one-off run of one model, not a suite's. */
export const adhocSuitePath = "(command line)";

/** Whether `run` is an ad-hoc run (`bench --model`): kept out of the suite tables and charts, listed among the runs. */
export function isAdhoc(run: RunView): boolean {
    return run.suite.path === adhocSuitePath;
}

/** Newest run (with its shards) per (suite name, machine), newest first; runs without configs and ad-hoc runs are skipped. */
export function latestSections(site: SiteData): Section[] {
    const seen = new Set<string>();
    const sections: Section[] = [];
    for (const run of site.runs) {
        const key = JSON.stringify([run.suite.name, run.machineKey]);
        if (seen.has(key) || run.configCount === 0 || isAdhoc(run)) continue;
        seen.add(key);
        const runs = shardSet(run, site.runs).sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0));
        // shards partition a suite's configs; should two parts hold one config anyway, the newer run's counts
        const byId = new Map<string, ConfigView>();
        for (const part of [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt)))
            for (const config of runConfigs(site, part.id)) if (!byId.has(config.id)) byId.set(config.id, config);
        const order = new Map(runs.map((part, i) => [part.id, i]));
        const configs = [...byId.values()].sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || a.position - b.position);
        sections.push({ runs, configs, ok: configs.filter((config) => config.status === "ok") });
    }
    return sections;
}

/** Settings keys whose recorded values differ between `configs` (what a suite swept), in params order. */
export function variedSettings(configs: readonly ConfigView[]): string[] {
    const values = new Map<string, Set<string>>();
    for (const config of configs)
        for (const [key, value] of Object.entries(config.params)) {
            let set = values.get(key);
            if (set == null) values.set(key, set = new Set());
            set.add(JSON.stringify(value));
        }
    return [...values].filter(([, set]) => set.size > 1).map(([key]) => key);
}

/** `threads=1 context=2048`: the given settings of one config. */
export function settingsText(config: ConfigView, keys: readonly string[]): string {
    return keys.map((key) => `${key}=${String((config.params as unknown as Record<string, unknown>)[key])}`).join(" ");
}
