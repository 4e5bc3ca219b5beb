/** The Pareto front of a trade-off: the points no other point beats on both axes beyond their intervals. */

export type Better = "higher" | "lower";

/** A point with, where it has one, the interval of each coordinate (absent: the value alone). */
export interface FrontPoint {
    x: number;
    y: number;
    xLow?: number;
    xHigh?: number;
    yLow?: number;
    yHigh?: number;
}

/**
 * For each point, whether it is on the front. A point is dominated only when another point is at least as good on
 * both axes beyond their intervals (the other's worst end at least as good as this one's best end) and strictly
 * better on one: two quants whose speed intervals overlap stay both on the front, as neither is shown faster.
 * Without intervals this is the usual front (at least as good on both axes, strictly better on one); equal points
 * are all on the front.
 */
export function paretoFront(points: readonly FrontPoint[], xBetter: Better, yBetter: Better): boolean[] {
    const ends = (value: number, low: number | undefined, high: number | undefined, better: Better) => {
        const lo = Math.min(value, low ?? value);
        const hi = Math.max(value, high ?? value);
        return better === "higher" ? { best: hi, worst: lo } : { best: lo, worst: hi };
    };
    const atLeast = (a: number, b: number, better: Better) => (better === "higher" ? a >= b : a <= b);
    const strictly = (a: number, b: number, better: Better) => (better === "higher" ? a > b : a < b);
    const bounds = points.map((p) => ({ x: ends(p.x, p.xLow, p.xHigh, xBetter), y: ends(p.y, p.yLow, p.yHigh, yBetter) }));
    return bounds.map((p, i) => !bounds.some((q, j) => j !== i &&
        atLeast(q.x.worst, p.x.best, xBetter) && atLeast(q.y.worst, p.y.best, yBetter) &&
        (strictly(q.x.worst, p.x.best, xBetter) || strictly(q.y.worst, p.y.best, yBetter))));
}
