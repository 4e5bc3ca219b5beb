/** A side's configs as compare pairs them: one entry per machine and config id, with the runs whose samples count. */
import type { RunFile, RunFileConfig } from "../store/runFile.ts";
import { machineKey } from "../store/machineKey.ts";

export interface Entry {
    machine: string;
    /** The newest run's config: its id, label and status speak for the entry. */
    config: RunFile["configs"][number];
    run: RunFile;
    /** The configs whose samples count: the newest alone, or every ok one (pooled). */
    pooled: RunFileConfig[];
}

/**
 * The configs of `runs` (oldest first) by machine and id: the newest run's, and the runs whose samples count (that
 * one, or with `pool` every run where the config ended ok), in the order of the newest run that has each.
 */
export function sideConfigs(runs: readonly RunFile[], pool: boolean): Entry[] {
    const byKey = new Map<string, Entry>();
    for (const run of runs) {
        const machine = machineKey(run.run.machine);
        for (const config of run.configs) {
            const key = `${machine}\n${config.id}`;
            const previous = byKey.get(key);
            // pooled, a failed rerun does not hide the runs that ended ok
            if (pool && config.status !== "ok" && previous?.config.status === "ok") continue;
            const pooled = pool && config.status === "ok" && previous?.config.status === "ok" ? [...previous.pooled, config] : [config];
            byKey.delete(key); // re-inserted: in the order of the newest run that has it
            byKey.set(key, { machine, config, run, pooled });
        }
    }
    return [...byKey.values()];
}

/** What differs between two paired configs: settings and model (`context: 1024 → 8192`, `model: a.gguf → b.gguf`). */
export function configDifferences(b: RunFileConfig, c: RunFileConfig): string[] {
    const out: string[] = [];
    if (b.model?.sha256 !== c.model?.sha256) out.push(`model: ${b.model?.file ?? "none"} → ${c.model?.file ?? "none"}`);
    const keys = new Set([...Object.keys(b.params), ...Object.keys(c.params)]);
    for (const key of keys) {
        const x = JSON.stringify((b.params as unknown as Record<string, unknown>)[key]);
        const y = JSON.stringify((c.params as unknown as Record<string, unknown>)[key]);
        if (x !== y) out.push(`${key}: ${x ?? "unset"} → ${y ?? "unset"}`);
    }
    return out;
}
