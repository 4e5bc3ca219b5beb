/** The one pure summary of raw samples (tinybench's shape): every figure the tool shows is derived here. */
import type { Summary } from "../results.ts";
import { mean, sampleVariance } from "./moments.ts";

/**
 * Summarise raw samples: n, mean, sample standard deviation (n − 1 in the denominator; 0 for a single sample),
 * median (mean of the middle two for an even n), min and max.
 * Throws a `RangeError` on an empty list or on a sample that is not a finite number.
 */
export function computeStatistics(samples: readonly number[]): Summary {
    const n = samples.length;
    if (n === 0) throw new RangeError("Expected at least one sample, got none");
    for (const [i, value] of samples.entries()) {
        if (typeof value !== "number" || !Number.isFinite(value))
            throw new RangeError(`Expected sample ${i} to be a finite number, got \`${String(value)}\` (${typeof value})`);
    }

    const sorted = [...samples].sort((a, b) => a - b);
    const m = mean(samples);
    const sd = n > 1 ? Math.sqrt(sampleVariance(samples, m)) : 0;
    const middle = Math.floor(n / 2);
    const median = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;

    return { n, mean: m, sd, median, min: sorted[0]!, max: sorted[n - 1]! };
}
