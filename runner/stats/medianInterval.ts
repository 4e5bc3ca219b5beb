/** Distribution-free confidence interval for a median, from order statistics (the sign-test interval). */

export interface MedianInterval {
    /** The k-th smallest sample. */
    low: number;
    /** The k-th largest sample. */
    high: number;
    /** 1-based rank of `low` in the sorted samples: k. */
    lowRank: number;
    /** 1-based rank of `high` in the sorted samples: n + 1 − k. */
    highRank: number;
    /**
     * The probability that [low, high] holds the true median, for continuous data (ties only raise it).
     * At least the requested level, or below it when n is too small to reach it (then the interval is [min, max]).
     */
    coverage: number;
}

/**
 * Coverage of [X(k), X(n+1−k)], the k-th smallest to the k-th largest of n samples. With B the number of samples
 * below the true median, B ~ Binomial(n, ½); X(k) ≤ median ⇔ B ≥ k and median ≤ X(n+1−k) ⇔ B ≤ n − k, so the
 * coverage is Σ_{i=k}^{n−k} C(n, i) / 2ⁿ. Computed exactly in BigInt (C(199, 99) is far beyond 2⁵³); only the final
 * quotient is rounded, to 53 bits.
 * Throws a `RangeError` unless n is a whole number ≥ 1 and 1 ≤ k ≤ (n + 1) / 2.
 */
export function medianIntervalCoverage(n: number, k: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected \`n\` to be a whole number >= 1, got \`${String(n)}\` (${typeof n})`);
    if (!Number.isInteger(k) || k < 1 || 2 * k > n + 1)
        throw new RangeError(`Expected \`k\` to be a whole number from 1 to ${Math.floor((n + 1) / 2)}, got \`${String(k)}\` (${typeof k})`);

    const size = BigInt(n);
    let coefficient = 1n; // C(n, i), stepped by C(n, i + 1) = C(n, i) × (n − i) / (i + 1), exact at every step
    let inside = 0n;
    for (let i = 0n; i <= size; i++) {
        if (i >= BigInt(k) && i <= size - BigInt(k)) inside += coefficient;
        coefficient = (coefficient * (size - i)) / (i + 1n);
    }
    const total = 2n ** size;
    const scale = 2n ** 53n;
    // inside / total ≤ 1, so the scaled quotient fits a double exactly; dyadic values like 15/16 come out exact
    return Number((inside * scale) / total) / Number(scale);
}

/**
 * The narrowest symmetric order-statistic interval [X(k), X(n+1−k)] (largest k) whose coverage of the true median
 * is at least `level` (default 0.95), with the coverage it reaches. Makes no assumption about the distribution:
 * it suits bimodal samples, where a mean ± sd would not.
 * When n is too small to reach `level` (n ≤ 5 for 95 %), returns the widest interval [min, max] and its coverage
 * (n = 5: 93.75 %; n = 1: 0, as one sample says nothing about the spread). Returns `null` for no samples.
 * Throws a `RangeError` on a sample that is not a finite number or a `level` outside (0, 1).
 */
export function medianInterval(samples: readonly number[], level = 0.95): MedianInterval | null {
    if (typeof level !== "number" || !(level > 0 && level < 1))
        throw new RangeError(`Expected \`level\` to be a number between 0 and 1, got \`${String(level)}\` (${typeof level})`);
    for (const [i, value] of samples.entries()) {
        if (typeof value !== "number" || !Number.isFinite(value))
            throw new RangeError(`Expected sample ${i} to be a finite number, got \`${String(value)}\` (${typeof value})`);
    }
    const n = samples.length;
    if (n === 0) return null;

    const sorted = [...samples].sort((a, b) => a - b);
    // coverage falls as k rises, so step k up while the next one still reaches the level
    let k = 1;
    let coverage = medianIntervalCoverage(n, 1);
    while (2 * (k + 1) <= n + 1) {
        const next = medianIntervalCoverage(n, k + 1);
        if (next < level) break;
        k++;
        coverage = next;
    }
    return { low: sorted[k - 1]!, high: sorted[n - k]!, lowRank: k, highRank: n + 1 - k, coverage };
}
