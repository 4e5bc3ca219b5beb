/**
 * Student's t distribution: the two-sided tail probability and the quantile, for any positive (also fractional,
 * as Welch's degrees of freedom are) df. Through the regularized incomplete beta function
 * (P(|T| > t) = I_{df / (df + t²)}(df / 2, 1 / 2)), evaluated by its continued fraction (Numerical Recipes §6.4).
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
    const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
    if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    const z = x - 1;
    let sum = c[0]!;
    for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
    const t = z + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
    const tiny = 1e-300;
    let c = 1;
    let d = 1 - ((a + b) * x) / (a + 1);
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    let h = d;
    for (let m = 1; m <= 500; m++) {
        const m2 = 2 * m;
        let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d;
        if (Math.abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (Math.abs(c) < tiny) c = tiny;
        d = 1 / d;
        const delta = d * c;
        h *= delta;
        if (Math.abs(delta - 1) < 1e-15) break;
    }
    return h;
}

/** The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| ≥ |t|) for T ~ Student's t with `df` degrees of freedom. Throws a `RangeError` unless df > 0. */
export function tTwoSidedP(t: number, df: number): number {
    if (!(df > 0)) throw new RangeError(`Expected \`df\` to be a number > 0, got \`${String(df)}\` (${typeof df})`);
    if (Number.isNaN(t)) return Number.NaN;
    if (!Number.isFinite(t)) return 0;
    return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The t with P(T ≤ t) = p for Student's t with `df` degrees of freedom (p in (0, 1)), by bisection on the tail
 * probability to 1e-12. Throws a `RangeError` on p outside (0, 1) or df ≤ 0.
 */
export function tQuantile(p: number, df: number): number {
    if (!(p > 0 && p < 1)) throw new RangeError(`Expected \`p\` to be a number between 0 and 1, got \`${String(p)}\` (${typeof p})`);
    if (!(df > 0)) throw new RangeError(`Expected \`df\` to be a number > 0, got \`${String(df)}\` (${typeof df})`);
    if (p === 0.5) return 0;
    const tail = 2 * Math.min(p, 1 - p); // two-sided probability beyond the answer's absolute value
    let low = 0;
    let high = 1;
    while (tTwoSidedP(high, df) > tail) high *= 2;
    for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, high); i++) {
        const mid = (low + high) / 2;
        if (tTwoSidedP(mid, df) > tail) low = mid;
        else high = mid;
    }
    const t = (low + high) / 2;
    return p > 0.5 ? t : -t;
}
