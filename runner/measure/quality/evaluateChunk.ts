/**
 * One chunk through node-llama-cpp's public `LlamaContextSequence.controlledEvaluate`: the chunk's tokens go in as
 * one evaluation (split into batches of the context's batch size, as llama-perplexity splits into n_ubatch), and every
 * scored position asks for what it needs next (`generateNext`). Each position's answer is handed to `onResult` as
 * it arrives, so a full-vocabulary map can be used and dropped at once instead of piling up for the whole chunk.
 *
 * What a position can ask for cheaply (measured, see the README's quality section): `token` (the greedy pick: the
 * first token with the largest logit, as llama.cpp's greedy sampler and llama-perplexity pick it), `totalLogitWeight`
 * (Σ exp(logit − max logit) over the vocabulary) and `logits` filtered to a few tokens. Two upstream quirks decide the
 * request: the filter's `includeMax` never adds the max token (node-llama-cpp 3.22.1's addon tests `any_of` where it
 * means `none_of`), so the top token comes from `includeSelected` with the greedy pick; and a sequence keeps its last
 * cell free, so a chunk of n tokens is fed as n − 1 (see chunks.ts).
 */
import type { ControlledEvaluateIndexOutput, ControlledEvaluateInputItem, LlamaContextSequence, Token } from "node-llama-cpp";

type GenerateNext = NonNullable<Extract<ControlledEvaluateInputItem, readonly unknown[]>[1]["generateNext"]>;
export type PositionRequest = Omit<GenerateNext, "options">;
export type PositionOutput = ControlledEvaluateIndexOutput["next"];

/** The request of a scored position: the greedy top token, the total logit weight and the logits of `tokens`. */
export function filteredRequest(tokens: readonly Token[]): PositionRequest {
    return { token: true, totalLogitWeight: true, logits: { filter: { tokens, includeSelected: true } } };
}

/** The request for every logit of the vocabulary (and the greedy top token). */
export const fullRequest: PositionRequest = { token: true, logits: true };

/**
 * Evaluates `input` from an empty sequence; positions `first` … end ask `request(k)` (k = position − first) and
 * their answers go to `onResult(k, output)`. An error thrown by `onResult` fails the chunk (node-llama-cpp would only
 * log it).
 */
export async function evaluateChunk(
    sequence: LlamaContextSequence,
    input: readonly Token[],
    first: number,
    request: (k: number) => PositionRequest,
    onResult: (k: number, output: PositionOutput) => void
): Promise<void> {
    await sequence.clearHistory();
    const items: ControlledEvaluateInputItem[] = input.map((token, j) => (j < first ? token : [token, { generateNext: request(j - first) }]));
    let failure: unknown;
    let answered = 0;
    await sequence.controlledEvaluate(items, {
        onTokenResult(index, output) {
            if (failure != null) return;
            try {
                onResult(index - first, output.next);
                answered++;
            } catch (error) {
                failure = error;
            }
        }
    });
    if (failure != null) throw failure;
    if (answered !== input.length - first)
        throw new Error(`node-llama-cpp answered ${answered} of the ${input.length - first} scored positions of a chunk`);
}

/** The greedy top token of an answer; throws when there is none. */
export function topToken(output: PositionOutput): Token {
    if (output.token == null) throw new Error("node-llama-cpp returned no top token for a scored position");
    return output.token;
}

/** The logit of `token` in an answer; throws when the answer lacks it. */
export function logitOf(output: PositionOutput, token: Token): number {
    const logit = output.logits?.get(token);
    if (logit === undefined) throw new Error(`node-llama-cpp returned no logit for token ${token}`);
    return logit;
}
