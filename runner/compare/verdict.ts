/**
 * The verdict of one compared metric, from the interval of the ratio candidate / baseline:
 * - a regression (an improvement) when the whole interval lies beyond the threshold on the worse (better) side:
 *   with the interval's confidence the change is larger than the threshold;
 * - unchanged when the whole interval lies inside ±threshold: any change is smaller than it;
 * - inconclusive otherwise: the interval reaches past the threshold, so neither can be said (never counted as unchanged);
 * - not judged: a row with no interval (one value a side and no history, a percentile), shown only.
 */
import type { Direction } from "../metrics/catalogue.ts";

export type Verdict = "regression" | "improvement" | "unchanged" | "inconclusive" | "not judged";

/** Every verdict, in the order the output lists them. */
export const verdictOrder: readonly Verdict[] = ["regression", "improvement", "inconclusive", "unchanged", "not judged"];

/** The verdict of an interval [low, high] of a ratio, for a metric whose `better` direction is higher or lower. */
export function verdictOf(low: number, high: number, better: Exclude<Direction, "none">, thresholdPercent: number): Verdict {
    const up = 1 + thresholdPercent / 100;
    const down = 1 / up;
    if (low > up) return better === "higher" ? "improvement" : "regression";
    if (high < down) return better === "higher" ? "regression" : "improvement";
    if (low >= down && high <= up) return "unchanged";
    return "inconclusive";
}
