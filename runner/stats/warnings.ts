/** Hyperfine-style warnings about a config's measurements; each says what to try next. */
import type { Measurement } from "../results.ts";
import type { Warning } from "../warnings.ts";
import { computeStatistics } from "./computeStatistics.ts";

/** Speed metrics whose spread is worth a warning, in the order the warnings are given. */
export const variedMetrics = ["decodeTps", "prefillTps", "ttftMs", "e2eMs"] as const;
/** Warn when sd / mean of a speed metric is above this. Defaults to `0.10`. */
export const maxVariation = 0.10;
/** Time metrics a slow first repetition shows in, the first one present is used. */
export const firstRunMetrics = ["e2eMs", "ttftMs", "prefillMs", "decodeMs"] as const;
/** Warn when the first repetition took more than this many times the median of the rest. Defaults to `1.5`. */
export const maxFirstRunRatio = 1.5;
/** Repetitions needed before a first-run outlier is judged (the rest must have a median). Defaults to `3`. */
export const minRepsForFirstRun = 3;

/**
 * Warnings for one config's measurements, grouped by prompt in the order the prompts first appear:
 * - the first repetition took more than 1.5× the median of the rest (n ≥ 3, on `e2eMs`, else `ttftMs`, …):
 *   `firstRunSlow` (``explain: the first run took 2.1× the median of the rest: raise `warmup` ``)
 * - sd / mean above 10 % for decodeTps, prefillTps, ttftMs or e2eMs: `highVariance`
 *   (``explain.decodeTps varies 14 % (sd/mean): close other programs, or raise `repetitions` ``)
 */
export function measurementWarnings(measurements: readonly Measurement[]): Warning[] {
    const byPrompt = new Map<string, Measurement[]>();
    for (const measurement of measurements) {
        const list = byPrompt.get(measurement.prompt);
        if (list == null) byPrompt.set(measurement.prompt, [measurement]);
        else list.push(measurement);
    }

    const warnings: Warning[] = [];
    for (const [prompt, reps] of byPrompt) {
        const ordered = [...reps].sort((a, b) => a.rep - b.rep);

        for (const metric of firstRunMetrics) {
            const values = finiteValues(ordered, metric);
            if (values.length === 0) continue;
            if (values.length >= minRepsForFirstRun) {
                const [first, ...rest] = values;
                const restMedian = computeStatistics(rest).median;
                const ratio = restMedian > 0 ? first! / restMedian : 0;
                if (ratio > maxFirstRunRatio)
                    warnings.push({ kind: "firstRunSlow", prompt, metric, ratio });
            }
            break;
        }

        for (const metric of variedMetrics) {
            const values = finiteValues(ordered, metric);
            if (values.length < 2) continue;
            const { mean, sd } = computeStatistics(values);
            if (mean <= 0) continue;
            const variation = sd / mean;
            if (variation > maxVariation)
                warnings.push({ kind: "highVariance", prompt, metric, variation });
        }
    }
    return warnings;
}

function finiteValues(measurements: readonly Measurement[], metric: string): number[] {
    return measurements
        .map((measurement) => measurement.metrics[metric])
        .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
}
