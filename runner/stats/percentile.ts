/** The one percentile function (numpy's default): inter-token latency percentiles and any other quantile of samples. */

/**
 * The `p`-th percentile (0–100) of an ascending list, interpolating linearly between the two nearest ranks:
 * numpy's default (`method="linear"`), rank = p / 100 × (n − 1).
 * Throws a `RangeError` on an empty list or a `p` outside 0–100.
 */
export function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) throw new RangeError("Expected at least one value to take a percentile of, got none");
    if (!Number.isFinite(p) || p < 0 || p > 100)
        throw new RangeError(`Expected \`p\` to be a number from 0 to 100, got \`${String(p)}\` (${typeof p})`);

    const rank = (p / 100) * (sorted.length - 1);
    const lower = Math.floor(rank);
    const upper = Math.ceil(rank);
    const low = sorted[lower]!;
    const high = sorted[upper]!;
    return low + (high - low) * (rank - lower);
}
