/** The mean and the sample variance (n − 1) every statistic here is built from, in one place. */

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
    return values.reduce((sum, x) => sum + x, 0) / values.length;
}

/** Sample variance (n − 1 in the denominator) around `m`, the values' mean. */
export function sampleVariance(values: readonly number[], m: number): number {
    return values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (values.length - 1);
}
