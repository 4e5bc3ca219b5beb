/**
 * Pairs the configs of two chosen runs. A changed setting or model gives a config a new id, and that is the common
 * case (the change under test), so ids come first and what they leave is paired by label (a setting in `defaults`
 * keeps the label), then by position in the run (a model or matrix value swapped for another), when both sides
 * have as many configs left. What pairs by label or position is listed with its differences by the caller.
 */
import type { Entry } from "./sideConfigs.ts";

/** The first way configs are paired; the later ones of id → label → order pair what is left. */
export type MatchBy = "id" | "label" | "order";

export interface MatchedConfigs {
    /** In the candidate's order (the suite's). */
    pairs: { baseline: Entry; candidate: Entry; by: MatchBy }[];
    baselineOnly: Entry[];
    candidateOnly: Entry[];
}

const ways: readonly MatchBy[] = ["id", "label", "order"];

export function matchConfigs(baseline: readonly Entry[], candidate: readonly Entry[], first: MatchBy = "id"): MatchedConfigs {
    let b = [...baseline];
    let c = [...candidate];
    const pairs: MatchedConfigs["pairs"] = [];
    for (const by of ways.slice(ways.indexOf(first))) {
        if (by === "order") {
            if (b.length === c.length) b.forEach((x, i) => pairs.push({ baseline: x, candidate: c[i]!, by }));
            if (b.length === c.length) [b, c] = [[], []];
            continue;
        }
        const key = (e: Entry) => (by === "id" ? e.config.id : e.config.label);
        // only keys that are unique on both sides pair (two configs of one label are left for the next way)
        const unique = (entries: Entry[]) => {
            const counts = new Map<string, number>();
            for (const e of entries) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
            return new Map(entries.filter((e) => counts.get(key(e)) === 1).map((e) => [key(e), e]));
        };
        const [ub, uc] = [unique(b), unique(c)];
        const paired = new Set<Entry>();
        for (const [k, x] of uc) {
            const y = ub.get(k);
            if (y == null) continue;
            pairs.push({ baseline: y, candidate: x, by });
            paired.add(x).add(y);
        }
        b = b.filter((e) => !paired.has(e));
        c = c.filter((e) => !paired.has(e));
    }
    const position = new Map(candidate.map((e, i) => [e, i]));
    pairs.sort((x, y) => position.get(x.candidate)! - position.get(y.candidate)!);
    return { pairs, baselineOnly: b, candidateOnly: c };
}
