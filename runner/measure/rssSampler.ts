/**
 * RSS timeline: a worker thread samples `process.memoryUsage.rss()` (the whole process's RSS) every 25 ms, tagging
 * each sample with the phase the measuring thread last wrote into a SharedArrayBuffer. Sampling runs on the
 * worker's own event loop, so it never adds work between two tokens on the measuring thread.
 *
 * Every phase the measuring thread enters gets at least one sample, however short it is (a tiny model's prefill
 * lasts a few ms): `setPhase` appends the phase to a small ring and wakes the worker (one atomic add and a futex
 * wake), and the worker takes one sample per phase entered since it last looked, tagged with that phase, as soon
 * as it runs. Such a sample can land a few ms after its phase ended on a busy machine; the timer samples between
 * them are tagged with the phase current at their time.
 *
 * The worker's source is inline JavaScript (`eval: true`) so it starts the same under tsx, vitest or plain node.
 */
import { Worker } from "node:worker_threads";
import { phases, type Phase, type RssSample } from "../results.ts";

export const defaultRssIntervalMs = 25;
/** Phase entries the worker can fall behind by and still sample each one. Defaults to `64`. */
const phaseRingSize = 64;

const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { phaseBuffer, intervalMs, originMs, phases, ringSize } = workerData;
// [0] current phase, [1] phases entered so far, [2 …] ring of the phases entered, by entry number % ringSize
const shared = new Int32Array(phaseBuffer);
const samples = [];
let seen = Atomics.load(shared, 1);
const now = () => performance.timeOrigin + performance.now() - originMs;
const sample = (index) => samples.push({ t: now(), bytes: process.memoryUsage.rss(), phase: phases[index] ?? "idle" });
const catchUp = () => {
    const entered = Atomics.load(shared, 1);
    // more entries than the ring holds since the last look: the oldest are gone, sample the ones still there
    for (let i = Math.max(seen, entered - ringSize); i < entered; i++) sample(Atomics.load(shared, 2 + (i % ringSize)));
    seen = entered;
};
let stopped = false;
const watch = () => {
    if (stopped) return;
    const waiting = Atomics.waitAsync(shared, 1, seen);
    if (!waiting.async) { catchUp(); setImmediate(watch); return; }
    waiting.value.then(() => { catchUp(); watch(); });
};
sample(Atomics.load(shared, 0));
const timer = setInterval(() => { catchUp(); sample(Atomics.load(shared, 0)); }, intervalMs);
watch();
parentPort.on("message", (message) => {
    if (message !== "stop") return;
    stopped = true;
    clearInterval(timer);
    catchUp();
    sample(Atomics.load(shared, 0));
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
    const phaseBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (2 + phaseRingSize));
    const shared = new Int32Array(phaseBuffer);
    const worker = new Worker(workerSource, { eval: true, workerData: { phaseBuffer, intervalMs, originMs, phases, ringSize: phaseRingSize } });
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
            const index = Math.max(0, phases.indexOf(next));
            // the same phase again (progress after each repetition, each quality chunk) enters nothing: no entry, no wake-up
            if (Atomics.load(shared, 0) === index) return;
            Atomics.store(shared, 0, index);
            const entry = Atomics.load(shared, 1);
            Atomics.store(shared, 2 + (entry % phaseRingSize), index);
            Atomics.store(shared, 1, entry + 1);
            Atomics.notify(shared, 1);
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
