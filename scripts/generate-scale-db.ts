/**
 * Writes a large results database for measuring the report at scale (`npm run report` build time and page weight):
 * 20 models × 5 quants × 2 thread settings per run, 5 runs (the last on a second machine), each config with
 * 4 prompts and 6 llama-bench tests × 10 repetitions = 100 000 measurements, token times and RSS timelines.
 * The figures are GENERATED (a smooth function of size plus seeded noise), not measured: the suite is named
 * `generated-scale` and the database is for scale checks only, never a result.
 *
 *   npx tsx scripts/generate-scale-db.ts OUT.db [RUNS]
 */
import { rmSync } from "node:fs";
import type { ConfigRecord, Measurement, RssSample, RunRecord } from "../runner/results.ts";
import { Store } from "../runner/store/store.ts";
import { defaultSettings } from "../runner/suite/types.ts";

const [out, runsArg] = process.argv.slice(2);
if (out == null) {
    console.error("usage: npx tsx scripts/generate-scale-db.ts OUT.db [RUNS]");
    process.exit(2);
}
const runs = Number(runsArg ?? 5);
rmSync(out, { force: true });
rmSync(`${out}-wal`, { force: true });
rmSync(`${out}-shm`, { force: true });

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const noisy = (value: number, spread = 0.05) => value * (1 + (random() - 0.5) * 2 * spread);

const quants = [["F16", 16], ["Q8_0", 8.5], ["Q6_K", 6.6], ["Q4_K_M", 4.8], ["Q2_K", 3.0]] as const;
const prompts = ["explain", "story", "code", "summarise"];
const tests = [["pp512", 512, 0, 0], ["tg128", 0, 128, 0], ["pp512+tg128", 512, 128, 0], ["tg128@d4096", 0, 128, 4096], ["pp512@d4096", 512, 0, 4096], ["tg128@d1024", 0, 128, 1024]] as const;
const reps = 10;
const machines = [
    { os: "Linux 6.8", arch: "x64", cpu: "AMD Ryzen 9 7950X 16-Core Processor", cores: 16, memoryBytes: 64 * 2 ** 30, node: "v20.19.0", nodeLlamaCpp: "3.22.1", llamaCpp: "b6000", backend: "cpu", gpus: [] },
    { os: "macOS 15.1", arch: "arm64", cpu: "Apple M2 Pro", cores: 12, memoryBytes: 32 * 2 ** 30, node: "v22.11.0", nodeLlamaCpp: "3.22.1", llamaCpp: "b6000", backend: "metal", gpus: ["Apple M2 Pro"] }
];

const store = Store.open(out);
let measurementCount = 0;
for (let r = 0; r < runs; r++) {
    const startedAt = new Date(Date.UTC(2026, 0, 1 + r * 7)).toISOString();
    const run: RunRecord = {
        id: `2026010${r}-000000-generated-scale-${r}`, suite: { name: "generated-scale", path: "suites/generated-scale.yaml", sha256: "0".repeat(64) },
        startedAt, finishedAt: startedAt, status: "completed", git: { commit: `${r}`.repeat(40), dirty: false },
        machine: r === runs - 1 && runs > 1 ? machines[1]! : machines[0]!,
        shard: null
    };
    store.createRun(run);
    let position = 0;
    for (let m = 0; m < 20; m++) {
        const billions = 0.5 + m * 0.75;
        for (const [quant, bits] of quants) {
            for (const threads of [8, 16]) {
                const sizeBytes = Math.round(billions * 1e9 * bits / 8);
                const decode = 2e10 / sizeBytes * (threads === 16 ? 1.3 : 1);
                const prefill = decode * 12;
                const measurements: Measurement[] = [];
                for (const prompt of prompts)
                    for (let rep = 0; rep < reps; rep++) {
                        const d = noisy(decode), p = noisy(prefill), ttft = 200 / p * 1000;
                        const times = Array.from({ length: 64 }, (_, i) => ttft + i * noisy(1000 / d, 0.2));
                        measurements.push({ kind: "prompt", prompt, rep, tokenTimesMs: times, metrics: {
                            promptTokens: 200, genTokens: 64, ttftMs: ttft, prefillMs: 200 / p * 1000, prefillTps: p, decodeMs: times[63]! - times[0]!,
                            decodeTps: d, itlP50Ms: 1000 / d, itlP90Ms: 1100 / d, itlP99Ms: 1300 / d, e2eMs: times[63]!, engineDecodeTps: d * 1.1, enginePrefillTps: p * 1.02 } });
                    }
                for (const [id, pp, tg, depth] of tests)
                    for (let rep = 0; rep < reps; rep++) {
                        const metrics: Record<string, number> = { depth };
                        const slow = 1 + depth / 8192;
                        if (pp > 0) Object.assign(metrics, { promptTokens: pp, ppMs: pp / noisy(prefill / slow) * 1000, prefillTps: noisy(prefill / slow) });
                        if (tg > 0) Object.assign(metrics, { genTokens: tg, tgMs: tg / noisy(decode / slow) * 1000, decodeTps: noisy(decode / slow) });
                        measurements.push({ kind: pp > 0 && tg > 0 ? "pg" : pp > 0 ? "pp" : "tg", prompt: id, rep, metrics });
                    }
                measurementCount += measurements.length;
                const rss: RssSample[] = Array.from({ length: 200 }, (_, i) => ({
                    t: i * 25, bytes: Math.round(sizeBytes * Math.min(1, i / 40) + 2e8), phase: i < 40 ? "load" : i % 3 === 0 ? "prefill" : "decode"
                }));
                const config: ConfigRecord = {
                    id: `m${m}-${quant}-t${threads}`.toLowerCase(), label: `scale-model-${m} ${quant} threads=${threads}`, status: "ok", error: null,
                    model: { source: "path", file: `scale-model-${m}-${quant}.gguf`, path: `/models/scale-model-${m}-${quant}.gguf`, sha256: "1".repeat(64),
                             sizeBytes, quant, arch: "llama", parameters: Math.round(billions * 1e9) },
                    params: { ...defaultSettings, threads, threadsBatch: threads, repetitions: reps }, startMs: 800, loadMs: sizeBytes / 2e7, warmupMs: 500,
                    peakRssBytes: Math.round(sizeBytes * 1.08 + 2e8), vramBytes: null, measurements, summary: {},
                    outputs: Object.fromEntries(prompts.map((p) => [p, `Generated placeholder answer for ${p}. `.repeat(8)])),
                    rssTimeline: rss, warnings: [], startedAt, finishedAt: startedAt
                };
                store.saveConfig(run.id, config);
                position++;
            }
        }
    }
}
store.close();
console.log(`${out}: ${runs} runs, ${measurementCount} measurements (generated figures)`);
