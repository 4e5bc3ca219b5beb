/**
 * The RSS timeline as recorded: at most `maxRssSamples` samples, chosen deterministically from the worker's 40 Hz
 * timeline, so that a config's share of the run file stays small whatever its length. Kept:
 * - the first and the last sample;
 * - each phase's peak (its highest sample, the earliest of equals), so no phase's high-water mark is lost;
 * - for the rest of the budget, the highest sample of each of equal slices of the timeline (by sample index):
 *   the upper envelope, the shape a memory chart needs.
 * A timeline that already fits is kept whole. The same input always gives the same output.
 */
import type { RssSample } from "../results.ts";

/** Most RSS samples recorded per config. Defaults to `240`. */
export const maxRssSamples = 240;

export function downsampleRss(samples: readonly RssSample[], max = maxRssSamples): RssSample[] {
    if (!Number.isInteger(max) || max < 2) throw new RangeError(`Expected \`max\` to be an integer >= 2, got \`${String(max)}\` (${typeof max})`);
    const n = samples.length;
    if (n <= max) return [...samples];
    const keep = new Set<number>([0, n - 1]);
    const peaks = new Map<string, number>();
    samples.forEach((sample, i) => {
        const best = peaks.get(sample.phase);
        if (best == null || sample.bytes > samples[best]!.bytes) peaks.set(sample.phase, i);
    });
    for (const i of peaks.values()) keep.add(i);

    const slices = Math.max(0, max - keep.size);
    for (let s = 0; s < slices; s++) {
        const from = Math.floor((s * n) / slices);
        const to = Math.floor(((s + 1) * n) / slices);
        let best = from;
        for (let i = from + 1; i < to; i++) if (samples[i]!.bytes > samples[best]!.bytes) best = i;
        keep.add(best);
    }
    return [...keep].sort((a, b) => a - b).map((i) => samples[i]!);
}
