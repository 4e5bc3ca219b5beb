/** The rows a comparison is made of: one judged (or noted) metric row, and what only one side measured. */
import type { Direction } from "../metrics/catalogue.ts";
import type { Verdict } from "./verdict.ts";

/** Which noise judged a row (compareSides.ts' file comment); `none` for a row with no interval. */
export type NoiseModel = "repetitions" | "history" | "machine history" | "paired positions" | "none";

export interface MetricRow {
    machine: string;
    config: string;
    /** The candidate config's label (and the baseline's when they differ, as `base → candidate`). */
    label: string;
    /**
     * Prompt or test id; `(config)` for the figures measured once per config (load, peak RSS…); `(quality)` for the
     * quality pass's figures (compareQuality.ts), whose `value` is the figure and `n` the scored positions.
     */
    item: string;
    metric: string;
    better: Direction;
    /** The geometric mean of the side's values (for `(quality)`, the pass's figure) and how many values. */
    baseline: { n: number; value: number };
    candidate: { n: number; value: number };
    /** candidate.value / baseline.value. */
    ratio: number;
    /** The interval's ends; null when there is none. */
    low: number | null;
    high: number | null;
    p: number | null;
    verdict: Verdict;
    noise: NoiseModel;
    /** With `history`: how many earlier runs gave the spread; with `machine history`: the most runs of one pooled figure. */
    historyRuns?: number;
    /** With `machine history`: how many figures (configs × prompts/tests of the metric) the spread was pooled over. */
    historyFigures?: number;
    /** Why a row is not judged. */
    note?: string;
    /** Either side's config was measured while the machine was busy (see `Comparison.busy`). */
    busy?: true;
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
