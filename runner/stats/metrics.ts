/**
 * Pure metric arithmetic of docs/metrics.md: token timestamps → stream metrics, whole answers → batch metrics,
 * llama-bench style tests → pp/tg/pg metrics. Metrics that are undefined for the input (e.g. decode speed
 * with one generated token) are left out rather than set to NaN or Infinity.
 */
import type { Metrics } from "../results.ts";
import { percentile } from "../stats/percentile.ts";

/** Gaps between consecutive token times (vLLM's inter-token latency; the time to the first token is excluded). */
export function interTokenGaps(tokenTimesMs: readonly number[]): number[] {
    const gaps: number[] = [];
    for (let i = 1; i < tokenTimesMs.length; i++) gaps.push(tokenTimesMs[i]! - tokenTimesMs[i - 1]!);
    return gaps;
}

export interface StreamInput {
    /** Tokens fed after the chat template. */
    promptTokens: number;
    /** Milliseconds from submitting the prompt to each generated token in hand. */
    tokenTimesMs: readonly number[];
    /** Milliseconds from submitting the prompt to the end of the request. */
    e2eMs: number;
    /** Prompt processing time, if known (see measureConfig for where it comes from). */
    prefillMs?: number;
}

/** The stream-mode metrics of one request. */
export function streamMetrics({ promptTokens, tokenTimesMs, e2eMs, prefillMs }: StreamInput): Metrics {
    const genTokens = tokenTimesMs.length;
    const metrics: Metrics = { promptTokens, genTokens, e2eMs };
    if (prefillMs != null && prefillMs > 0) {
        metrics.prefillMs = prefillMs;
        metrics.prefillTps = (promptTokens / prefillMs) * 1000;
    }
    if (genTokens === 0) return metrics;
    metrics.ttftMs = tokenTimesMs[0]!;
    const decodeMs = tokenTimesMs[genTokens - 1]! - tokenTimesMs[0]!;
    metrics.decodeMs = decodeMs;
    if (genTokens < 2 || decodeMs <= 0) return metrics;
    metrics.decodeTps = ((genTokens - 1) / decodeMs) * 1000;
    const gaps = interTokenGaps(tokenTimesMs).sort((a, b) => a - b);
    metrics.itlP50Ms = percentile(gaps, 50);
    metrics.itlP90Ms = percentile(gaps, 90);
    metrics.itlP99Ms = percentile(gaps, 99);
    return metrics;
}

/** The batch-mode metrics of one request: only the whole answer is timed. */
export function batchMetrics({ promptTokens, genTokens, e2eMs }: { promptTokens: number; genTokens: number; e2eMs: number }): Metrics {
    const metrics: Metrics = { promptTokens, genTokens, e2eMs };
    if (e2eMs > 0) metrics.e2eTps = (genTokens / e2eMs) * 1000;
    return metrics;
}

/** llama.cpp's own counters for one request, parsed from `llama_perf_context_print`. */
export interface EngineTimings {
    promptEvalMs: number;
    promptEvalTokens: number;
    evalMs: number;
    evalRuns: number;
}

/** `enginePrefillTps` / `engineDecodeTps` from llama.cpp's counters, where they counted any work. */
export function engineMetrics(timings: EngineTimings | undefined): Metrics {
    const metrics: Metrics = {};
    if (timings == null) return metrics;
    if (timings.promptEvalTokens > 0 && timings.promptEvalMs > 0)
        metrics.enginePrefillTps = (timings.promptEvalTokens / timings.promptEvalMs) * 1000;
    if (timings.evalRuns > 0 && timings.evalMs > 0)
        metrics.engineDecodeTps = (timings.evalRuns / timings.evalMs) * 1000;
    return metrics;
}

/**
 * llama-bench test metrics. `ppMs` / `tgMs` are the timed parts (either may be absent);
 * pg (both) also gets `pgMs` and `pgTps` = (pp + tg) / (ppMs + tgMs), as llama-bench times the pair together.
 */
export function benchTestMetrics({ pp, tg, ppMs, tgMs, depth }: { pp: number; tg: number; ppMs?: number; tgMs?: number; depth: number }): Metrics {
    const metrics: Metrics = { depth };
    if (pp > 0 && ppMs != null) {
        metrics.promptTokens = pp;
        metrics.ppMs = ppMs;
        if (ppMs > 0) metrics.prefillTps = (pp / ppMs) * 1000;
    }
    if (tg > 0 && tgMs != null) {
        metrics.genTokens = tg;
        metrics.tgMs = tgMs;
        if (tgMs > 0) metrics.decodeTps = (tg / tgMs) * 1000;
    }
    if (pp > 0 && tg > 0 && ppMs != null && tgMs != null) {
        metrics.pgMs = ppMs + tgMs;
        if (ppMs + tgMs > 0) metrics.pgTps = ((pp + tg) / (ppMs + tgMs)) * 1000;
    }
    return metrics;
}

/**
 * The figures of one repetition of a parallel level, from its raw samples: `sequenceTimesMs[i]` holds sequence i's
 * token times (ms from the level's start; the first token comes from its prompt's last position, then one per decode
 * step), as llama-batched-bench times the same work:
 * - `ppMs`: until every prompt was evaluated (the last first token); `prefillTps` = sequences × prompt / ppMs (S_PP),
 *   or prompt / ppMs when the prompt is `shared` (evaluated once and copied; llama-batched-bench's `-pps` counts so);
 * - `tgMs`: from then until every sequence's last decode; `decodeTps` = sequences × gen / tgMs (S_TG);
 * - `pgMs` / `pgTps`: the whole level, (prompt tokens evaluated + sequences × gen) / pgMs (S);
 * - `ttftMs`: the median over sequences of their first token's time; `itlP50Ms` … `itlP99Ms`: percentiles of every
 *   sequence's gaps between consecutive tokens, pooled (the latency one user sees, whichever user).
 */
export function parallelLevelMetrics({ sequenceTimesMs, prompt, gen, shared = false }: { sequenceTimesMs: readonly (readonly number[])[]; prompt: number; gen: number; shared?: boolean }): Metrics {
    const sequences = sequenceTimesMs.length;
    const promptEvaluated = shared ? prompt : sequences * prompt;
    const metrics: Metrics = { sequences, promptTokens: prompt, genTokens: gen };
    if (sequences === 0 || sequenceTimesMs.some((times) => times.length === 0)) return metrics;
    const firsts = sequenceTimesMs.map((times) => times[0]!).sort((a, b) => a - b);
    const ppMs = firsts.at(-1)!;
    const pgMs = Math.max(...sequenceTimesMs.map((times) => times.at(-1)!));
    metrics.ppMs = ppMs;
    if (ppMs > 0) metrics.prefillTps = (promptEvaluated / ppMs) * 1000;
    metrics.ttftMs = percentile(firsts, 50);
    if (sequenceTimesMs.every((times) => times.length > 1)) {
        const tgMs = pgMs - ppMs;
        metrics.tgMs = tgMs;
        if (tgMs > 0) metrics.decodeTps = ((sequences * gen) / tgMs) * 1000;
        const gaps = sequenceTimesMs.flatMap((times) => interTokenGaps(times)).sort((a, b) => a - b);
        metrics.itlP50Ms = percentile(gaps, 50);
        metrics.itlP90Ms = percentile(gaps, 90);
        metrics.itlP99Ms = percentile(gaps, 99);
    }
    metrics.pgMs = pgMs;
    if (pgMs > 0) metrics.pgTps = ((promptEvaluated + sequences * gen) / pgMs) * 1000;
    return metrics;
}
