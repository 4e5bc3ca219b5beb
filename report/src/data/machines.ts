/** The same config on different machines: each machine's newest run of it, side by side. */
import { figure, headlinePrompt } from "./figures.ts";
import type { ConfigView, RunView, SiteData } from "./types.ts";

export interface MachineComparison {
    /** Config id: the same model file and settings everywhere. */
    configId: string;
    label: string;
    metric: string;
    prompt: string | null;
    entries: { run: RunView; config: ConfigView; median: number; sd: number | null }[];
}

export const machineMetrics = ["decodeTps", "prefillTps", "ttftMs", "peakRssBytes"] as const;

/** Machines that appear in the results, newest run first, with their run counts. */
export function machineList(site: SiteData): { key: string; name: string; run: RunView; runs: number }[] {
    const byKey = new Map<string, { key: string; name: string; run: RunView; runs: number }>();
    for (const run of site.runs) {
        const entry = byKey.get(run.machineKey);
        if (entry == null) byKey.set(run.machineKey, { key: run.machineKey, name: run.machineName, run, runs: 1 });
        else entry.runs++;
    }
    return [...byKey.values()];
}

/** Configs (by id) that ran ok on two machines or more, per metric. */
export function machineComparisons(site: SiteData): MachineComparison[] {
    const runs = new Map(site.runs.map((run) => [run.id, run]));
    const newest = new Map<string, Map<string, ConfigView>>();
    for (const config of site.configs) {
        if (config.status !== "ok") continue;
        const machine = runs.get(config.runId)!.machineKey;
        let byMachine = newest.get(config.id);
        if (byMachine == null) newest.set(config.id, byMachine = new Map());
        // site.configs is newest run first: the first seen per machine is its newest
        if (!byMachine.has(machine)) byMachine.set(machine, config);
    }
    const result: MachineComparison[] = [];
    for (const [configId, byMachine] of newest) {
        if (byMachine.size < 2) continue;
        const configs = [...byMachine.values()];
        for (const metric of machineMetrics) {
            const prompt = headlinePrompt(configs, metric);
            const entries = configs.flatMap((config) => {
                const value = figure(config, metric, prompt);
                return value == null ? [] : [{ run: runs.get(config.runId)!, config, median: value.median, sd: value.sd }];
            });
            if (entries.length >= 2) result.push({ configId, label: configs[0]!.label, metric, prompt, entries });
        }
    }
    return result;
}
