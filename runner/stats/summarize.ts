/** Summaries of a config's repetitions, keyed `<prompt>.<metric>` (e.g. `explain.decodeTps`, `tg128.decodeTps`). */
import type { Measurement, Summary } from "../results.ts";
import { computeStatistics } from "./computeStatistics.ts";

/** The key a prompt's (or test's) metric is summarised under. */
export function summaryKey(prompt: string, metric: string): string {
    return `${prompt}.${metric}`;
}

/** Raw samples per `<prompt>.<metric>`, in the order the repetitions were given. */
export function samplesByKey(measurements: readonly Measurement[]): Map<string, number[]> {
    const samples = new Map<string, number[]>();
    for (const measurement of measurements) {
        for (const [metric, value] of Object.entries(measurement.metrics)) {
            const key = summaryKey(measurement.prompt, metric);
            const list = samples.get(key);
            if (list == null) samples.set(key, [value]);
            else list.push(value);
        }
    }
    return samples;
}

/**
 * One `Summary` per `<prompt>.<metric>` over the repetitions, keys sorted. A metric missing from some
 * repetitions is summarised over the ones that have it. Throws (from `computeStatistics`) on a non-finite value:
 * a metric that could not be measured must be left out, not recorded as NaN.
 */
export function summarizeMeasurements(measurements: readonly Measurement[]): Record<string, Summary> {
    const summary: Record<string, Summary> = {};
    const samples = samplesByKey(measurements);
    for (const key of [...samples.keys()].sort()) {
        try {
            summary[key] = computeStatistics(samples.get(key)!);
        } catch (error) {
            throw new RangeError(`Cannot summarise \`${key}\`: ${(error as Error).message}`);
        }
    }
    return summary;
}
