/** The Pareto front of a trade-off: the points no other point beats on both axes. */

export type Better = "higher" | "lower";

/**
 * For each point, whether it is on the front: no other point is at least as good on both axes and strictly
 * better on one. Equal points are all on the front.
 */
export function paretoFront(points: readonly { x: number; y: number }[], xBetter: Better, yBetter: Better): boolean[] {
    const atLeast = (a: number, b: number, better: Better) => (better === "higher" ? a >= b : a <= b);
    const strictly = (a: number, b: number, better: Better) => (better === "higher" ? a > b : a < b);
    return points.map((p) => !points.some((q) =>
        atLeast(q.x, p.x, xBetter) && atLeast(q.y, p.y, yBetter) && (strictly(q.x, p.x, xBetter) || strictly(q.y, p.y, yBetter))));
}
