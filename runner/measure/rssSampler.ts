/**
 * RSS timeline: a worker thread samples `process.memoryUsage.rss()` (the whole process's RSS) every 25 ms, tagging
 * each sample with the phase the measuring thread last wrote into a SharedArrayBuffer. Sampling runs on the
 * worker's own event loop, so it never adds work between two tokens on the measuring thread.
 *
 * The worker's source is inline JavaScript (`eval: true`) so it starts the same under tsx, vitest or plain node.
 */
import { Worker } from "node:worker_threads";
import type { Phase, RssSample } from "../results.ts";

export const phases: readonly Phase[] = ["idle", "load", "warmup", "prefill", "decode", "quality", "unload"];
export const defaultRssIntervalMs = 25;

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { phaseBuffer, intervalMs, originMs, phases } = workerData;
const phase = new Int32Array(phaseBuffer);
const samples = [];
const now = () => performance.timeOrigin + performance.now() - originMs;
const sample = () => samples.push({ t: now(), bytes: process.memoryUsage.rss(), phase: phases[Atomics.load(phase, 0)] ?? "idle" });
sample();
const timer = setInterval(sample, intervalMs);
parentPort.on("message", (message) => {
    if (message !== "stop") return;
    clearInterval(timer);
    sample();
    parentPort.postMessage(samples);
    parentPort.close();
});
parentPort.postMessage("started");
`;

export interface RssSampler {
    /** Tag the following samples with `phase` (a single atomic store: cheap enough for the measuring thread). */
    setPhase(phase: Phase): void;
    /** Stop sampling and return the timeline; `t` is in ms since `originMs`. */
    stop(): Promise<RssSample[]>;
}

/** Start sampling; resolves once the worker took its first sample. `originMs` is `performance.timeOrigin + performance.now()` at time 0. */
export async function startRssSampler(
    { intervalMs = defaultRssIntervalMs, originMs = performance.timeOrigin + performance.now() }: { intervalMs?: number; originMs?: number } = {}
): Promise<RssSampler> {
    const phaseBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const phase = new Int32Array(phaseBuffer);
    const worker = new Worker(workerSource, { eval: true, workerData: { phaseBuffer, intervalMs, originMs, phases } });
    worker.unref();
    const result = new Promise<RssSample[]>((resolve, reject) => {
        worker.on("message", (message: unknown) => {
            if (Array.isArray(message)) resolve(message as RssSample[]);
        });
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`RSS sampler exited (code ${code}) before returning its samples`)));
    });
    result.catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
        worker.once("message", () => resolve());
        worker.once("error", reject);
    });
    let stopped: Promise<RssSample[]> | undefined;
    return {
        setPhase(next) {
            Atomics.store(phase, 0, Math.max(0, phases.indexOf(next)));
        },
        stop() {
            stopped ??= (async () => {
                worker.postMessage("stop");
                try {
                    return await result;
                } finally {
                    await worker.terminate();
                }
            })();
            return stopped;
        }
    };
}

/** Highest sampled RSS, 0 for an empty timeline. */
export function peakSampledRss(samples: readonly RssSample[]): number {
    let peak = 0;
    for (const sample of samples) if (sample.bytes > peak) peak = sample.bytes;
    return peak;
}
