/** Names of a parallel test and of its levels, as measurements, summaries and compare rows carry them. */

/** `par:pp256+tg128`, with `:shared` when every sequence gets the same prompt. */
export function parallelTestId(test: { prompt: number; gen: number; shared: boolean }): string {
    return `par:pp${test.prompt}+tg${test.gen}${test.shared ? ":shared" : ""}`;
}

/** One level of a parallel test, as its measurements are named: `np4:pp256+tg128` (np: llama-server's --parallel). */
export function parallelLevelId(test: { prompt: number; gen: number; shared: boolean }, sequences: number): string {
    return `np${sequences}:${parallelTestId(test).slice("par:".length)}`;
}
