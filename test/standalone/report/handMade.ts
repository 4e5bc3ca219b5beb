/** Hand-made results for the report's tests: runs and configs written through the Store, figures chosen by hand. */
import type { ConfigRecord, MachineInfo, Measurement, QualityRecord, RunRecord } from "../../../runner/results.ts";
import type { Store } from "../../../runner/store/store.ts";
import { defaultSettings, type Settings } from "../../../runner/suite/types.ts";

export const machineA: MachineInfo = {
    os: "Linux 6.8", arch: "x64", cpu: "Test CPU", cores: 2, memoryBytes: 8 * 2 ** 30,
    node: "v20.19.0", nodeLlamaCpp: "3.22.1", llamaCpp: "b6000", backend: "cpu", gpus: []
};
export const machineB: MachineInfo = { ...machineA, cpu: "Apple M2", arch: "arm64", backend: "metal", gpus: ["Apple M2"] };

export function run(id: string, startedAt: string, opts: { suite?: string; machine?: MachineInfo; commit?: string } = {}): RunRecord {
    return {
        id, suite: { name: opts.suite ?? "quants", path: "suites/quants.yaml", sha256: "ab".repeat(32) },
        startedAt, finishedAt: startedAt, status: "completed",
        git: { commit: opts.commit ?? "0123456789abcdef0123456789abcdef01234567", dirty: false },
        machine: opts.machine ?? machineA,
        shard: null
    };
}

export interface ConfigOptions {
    quant?: string;
    repo?: string;
    /** Per prompt: metric → repetition values. */
    figures?: Record<string, Record<string, number[]>>;
    params?: Partial<Settings>;
    peakRssBytes?: number;
    sizeBytes?: number;
    status?: ConfigRecord["status"];
    error?: string | null;
    label?: string;
    outputs?: Record<string, string>;
    warnings?: ConfigRecord["warnings"];
    /** A quality pass with its raw positions. */
    qualityPass?: QualityRecord;
}

export function config(id: string, o: ConfigOptions = {}): ConfigRecord {
    const quant = o.quant ?? "Q8_0";
    const measurements: Measurement[] = Object.entries(o.figures ?? {}).flatMap(([prompt, byMetric]) => {
        const reps = Math.max(...Object.values(byMetric).map((v) => v.length));
        return Array.from({ length: reps }, (_, rep): Measurement => ({
            kind: prompt.startsWith("tg") || prompt.startsWith("pp") ? "tg" : "prompt", prompt, rep,
            metrics: Object.fromEntries(Object.entries(byMetric).flatMap(([metric, values]) => values[rep] == null ? [] : [[metric, values[rep]!]])),
            tokenTimesMs: prompt.startsWith("tg") ? undefined : [10, 12, 15, 19]
        }));
    });
    return {
        id, label: o.label ?? `${o.repo ?? "org/model"} ${quant}`, status: o.status ?? "ok", error: o.error ?? null,
        model: {
            source: "hf", repo: o.repo ?? "org/model", file: `model-${quant}.gguf`, path: `/cache/model-${quant}.gguf`,
            sha256: "cd".repeat(32), sizeBytes: o.sizeBytes ?? 1_000_000, quant, arch: "llama", parameters: 1_500_000_000
        },
        params: { ...defaultSettings, threads: 1, threadsBatch: 2, ...o.params },
        startMs: 800, loadMs: 100, warmupMs: 200, peakRssBytes: o.peakRssBytes ?? 100 * 2 ** 20, vramBytes: null,
        measurements, summary: {}, outputs: o.outputs ?? { explain: "text" },
        rssTimeline: [{ t: 0, bytes: 50 * 2 ** 20, phase: "load" }, { t: 40, bytes: 90 * 2 ** 20, phase: "decode" }],
        warnings: o.warnings ?? [], startedAt: "2025-01-02T03:04:06.000Z", finishedAt: "2025-01-02T03:04:09.000Z",
        ...(o.qualityPass != null ? { quality: o.qualityPass } : {})
    };
}

export function save(store: Store, r: RunRecord, configs: ConfigRecord[]): void {
    store.createRun(r);
    for (const c of configs) store.saveConfig(r.id, c);
}
