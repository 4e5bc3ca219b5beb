/** The rows a comparison is made of: one judged (or noted) metric row, and what only one side measured. */
import type { Direction } from "../metrics/catalogue.ts";
import type { Verdict } from "./verdict.ts";

export interface MetricRow {
    machine: string;
    config: string;
    /** The candidate config's label (and the baseline's when they differ, as `base → candidate`). */
    label: string;
    /**
     * Prompt or test id; `(config)` for the figures measured once per config (load, peak RSS…); `(quality)` for the
     * quality pass's figures (compareQuality.ts), whose `median` is the figure and `n` the scored positions.
     */
    item: string;
    metric: string;
    better: Direction;
    baseline: { n: number; median: number };
    candidate: { n: number; median: number };
    /** Candidate / baseline: the ratio of geometric means of the repetitions (of the values, for one value a side). */
    ratio: number;
    /** The interval's ends; null with one value a side. */
    low: number | null;
    high: number | null;
    p: number | null;
    verdict: Verdict;
    /** Why a row is not judged. */
    note?: string;
}

export interface Unmatched {
    side: "baseline" | "candidate";
    machine: string;
    config: string;
    label: string;
    /** A prompt or test only one side measured; absent when the whole config is unmatched. */
    item?: string;
    why: string;
}
