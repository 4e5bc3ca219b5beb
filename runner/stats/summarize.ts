/**
 * Summaries of a config's repetitions, keyed structurally: prompt (or test) id → metric → Summary. A prompt id may
 * hold a dot, so keys are never joined into one string.
 */
import type { Measurement, Summaries, Summary } from "../results.ts";
import { computeStatistics } from "./computeStatistics.ts";
import { dict } from "../dict.ts";

/** Raw samples per prompt (in first-seen order) and metric, in the order the repetitions were given. */
export function samplesByPrompt(measurements: readonly Pick<Measurement, "prompt" | "metrics">[]): Map<string, Map<string, number[]>> {
    const samples = new Map<string, Map<string, number[]>>();
    for (const measurement of measurements) {
        let byMetric = samples.get(measurement.prompt);
        if (byMetric == null) samples.set(measurement.prompt, byMetric = new Map());
        for (const [metric, value] of Object.entries(measurement.metrics)) {
            const list = byMetric.get(metric);
            if (list == null) byMetric.set(metric, [value]);
            else list.push(value);
        }
    }
    return samples;
}

/**
 * One `Summary` per prompt and metric over the repetitions, prompts and metrics sorted. A metric missing from
 * some repetitions is summarised over the ones that have it. Throws (from `computeStatistics`) on a non-finite
 * value: a metric that could not be measured must be left out, not recorded as NaN.
 */
export function summarizeMeasurements(measurements: readonly Pick<Measurement, "prompt" | "metrics">[]): Summaries {
    const summaries: Summaries = dict();
    const samples = samplesByPrompt(measurements);
    for (const prompt of [...samples.keys()].sort()) {
        const byMetric = samples.get(prompt)!;
        const summary: Record<string, Summary> = dict();
        for (const metric of [...byMetric.keys()].sort()) {
            try {
                summary[metric] = computeStatistics(byMetric.get(metric)!);
            } catch (error) {
                throw new RangeError(`Cannot summarise \`${metric}\` of \`${prompt}\`: ${(error as Error).message}`);
            }
        }
        summaries[prompt] = summary;
    }
    return summaries;
}
