/**
 * The verdict of one compared metric: a regression (or an improvement) when the whole interval of the ratio
 * candidate / baseline lies beyond the threshold on the worse (better) side, that is, with the interval's confidence
 * the change is larger than the threshold. A change that is significant but may be smaller than it is `unchanged`.
 */
import type { Direction } from "../metrics/catalogue.ts";

export type Verdict = "regression" | "improvement" | "unchanged" | "not judged";

/** The verdict of an interval [low, high] of a ratio, for a metric whose `better` direction is higher or lower. */
export function verdictOf(low: number, high: number, better: Exclude<Direction, "none">, thresholdPercent: number): Verdict {
    const up = 1 + thresholdPercent / 100;
    const down = 1 / up;
    if (low > up) return better === "higher" ? "improvement" : "regression";
    if (high < down) return better === "higher" ? "regression" : "improvement";
    return "unchanged";
}
