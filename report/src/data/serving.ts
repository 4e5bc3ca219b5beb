/**
 * Serving load: each config's parallel tests as curves against concurrency (aggregate throughput, and the latency
 * one sequence sees) and their knees, from the levels' summaries (recomputed from raw samples) through the same
 * runner/stats/knee.ts the CLI and the run file use.
 */
import { kneeText, parallelOutcome, type ParallelOutcome } from "../../../runner/stats/knee.ts";
import type { ConfigView } from "./types.ts";

export interface ServingPoint {
    /** `config label · par:pp256+tg128`. */
    series: string;
    sequences: number;
    value: number;
}

export interface Serving {
    /** One outcome per config and parallel test, with the knee in words. */
    outcomes: { series: string; outcome: ParallelOutcome; text: string }[];
    /** Aggregate decode tok/s (S_TG) and prefill tok/s (S_PP) per level. */
    decodeTps: ServingPoint[];
    prefillTps: ServingPoint[];
    /** ITL p90 and TTFT per level: what one sequence waits. */
    itlP90Ms: ServingPoint[];
    ttftMs: ServingPoint[];
}

export function serving(configs: readonly ConfigView[]): Serving {
    const result: Serving = { outcomes: [], decodeTps: [], prefillTps: [], itlP90Ms: [], ttftMs: [] };
    for (const config of configs) {
        if (config.status !== "ok") continue;
        for (const test of config.parallel ?? []) {
            const outcome = parallelOutcome(test, config.summaries);
            const series = `${config.label} · ${test.id}`;
            result.outcomes.push({ series, outcome, text: kneeText(outcome) });
            for (const level of outcome.levels) {
                result.decodeTps.push({ series, sequences: level.sequences, value: level.decodeTps });
                if (level.prefillTps != null) result.prefillTps.push({ series, sequences: level.sequences, value: level.prefillTps });
                if (level.itlP90Ms != null) result.itlP90Ms.push({ series, sequences: level.sequences, value: level.itlP90Ms });
                if (level.ttftMs != null) result.ttftMs.push({ series, sequences: level.sequences, value: level.ttftMs });
            }
        }
    }
    return result;
}
