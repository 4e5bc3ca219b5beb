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
 *
 * `ties` gives an axis whose figures carry no interval (measured once, e.g. peak memory) a relative band: two values
 * within `tie × the larger` of each other count as equal on it (each at least as good as the other, neither better),
 * so the point that is better on the other axis dominates. Beyond the band the smaller value is better.
 */
export function paretoFront(points: readonly FrontPoint[], xBetter: Better, yBetter: Better, ties: { x?: number; y?: number } = {}): boolean[] {
    const ends = (value: number, low: number | undefined, high: number | undefined, better: Better) => {
        const lo = Math.min(value, low ?? value);
        const hi = Math.max(value, high ?? value);
        return better === "higher" ? { best: hi, worst: lo } : { best: lo, worst: hi };
    };
    /** How `a` stands against `b` on one axis: 1 better, -1 worse, 0 equal (within the axis's tie band, if any). */
    const stand = (a: number, b: number, better: Better, tie = 0) => {
        const lead = better === "higher" ? a - b : b - a;
        const band = tie * Math.max(Math.abs(a), Math.abs(b));
        return lead > band ? 1 : lead < -band ? -1 : 0;
    };
    const bounds = points.map((p) => ({ x: ends(p.x, p.xLow, p.xHigh, xBetter), y: ends(p.y, p.yLow, p.yHigh, yBetter) }));
    // q dominates p when q's worst end is at least as good as p's best end on both axes, and better on one
    const dominates = (q: typeof bounds[number], p: typeof bounds[number]) => {
        const x = stand(q.x.worst, p.x.best, xBetter, ties.x);
        const y = stand(q.y.worst, p.y.best, yBetter, ties.y);
        return x >= 0 && y >= 0 && x + y > 0;
    };
    return bounds.map((p, i) => !bounds.some((q, j) => j !== i && dominates(q, p)));
}
