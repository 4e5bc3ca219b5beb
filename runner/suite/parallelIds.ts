/** Names of a parallel test and of its levels, as measurements, summaries and compare rows carry them. */

/**
 * `par:pp256+tg128`, with `:pps` when the prompt is shared: evaluated once and copied to every sequence (llama-batched-
 * bench's `-pps`). Until stop 24 a shared prompt was evaluated by every sequence and named `:shared`; the new name
 * keeps the two workloads from ever being compared as one.
 */
export function parallelTestId(test: { prompt: number; gen: number; shared: boolean }): string {
    return `par:pp${test.prompt}+tg${test.gen}${test.shared ? ":pps" : ""}`;
}

/** One level of a parallel test, as its measurements are named: `np4:pp256+tg128` (np: llama-server's --parallel). */
export function parallelLevelId(test: { prompt: number; gen: number; shared: boolean }, sequences: number): string {
    return `np${sequences}:${parallelTestId(test).slice("par:".length)}`;
}
