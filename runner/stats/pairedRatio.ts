/**
 * Paired ratios (one ratio per interleaved pair, as fidelity measures them): their median with the distribution-free
 * interval of medianInterval.ts, and a verdict of that interval against a target.
 */
import { computeStatistics } from "./computeStatistics.ts";
import { medianInterval, type MedianInterval } from "./medianInterval.ts";

/** The median of the per-pair ratios and its distribution-free interval. */
export interface RatioSummary {
    pairs: number;
    median: number;
    interval: MedianInterval;
}

/** Whether a ratio's interval clears the target: `unclear` means it straddles it, or has too few pairs to reach the level. */
export type TargetVerdict = "met" | "not met" | "unclear";

/** Median and interval of `ratios` (at least one). Throws a `RangeError` on an empty list or a non-finite ratio. */
export function pairedRatio(ratios: readonly number[], level = 0.95): RatioSummary {
    return { pairs: ratios.length, median: computeStatistics(ratios).median, interval: medianInterval(ratios, level)! };
}

/** `met` when the interval's low end is at or above `targetPercent` / 100, `not met` when its high end is below it. */
export function targetVerdict(ratio: RatioSummary, targetPercent: number, level = 0.95): TargetVerdict {
    // too few pairs for the interval to reach the level (fewer than 6 at 95 %; one pair has coverage 0): no grounds
    // for either verdict, however far the median is from the target
    if (ratio.interval.coverage < level) return "unclear";
    const target = targetPercent / 100;
    if (ratio.interval.low >= target) return "met";
    if (ratio.interval.high < target) return "not met";
    return "unclear";
}
