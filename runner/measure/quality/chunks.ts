/**
 * How llama-perplexity cuts a corpus (tools/perplexity/perplexity.cpp, `perplexity` and `kl_divergence`): the text
 * is tokenized once with BOS first (when the model adds one); chunk c is tokens [c·n, (c + 1)·n) with its first
 * token replaced by BOS; the logits of positions n/2 … n − 2 are scored against the token that follows, so each
 * chunk scores n − 1 − n/2 tokens and the chunk's last token is never fed for a prediction of its own.
 *
 * That last point is what lets node-llama-cpp match it: a context of n cells holds only n − 1 tokens before it shifts
 * (node-llama-cpp keeps one cell free), and positions 0 … n − 2 are exactly what llama-perplexity reads logits from.
 * So a chunk is fed as its first n − 1 tokens into a context of n cells, and nothing is shifted or cut.
 */

export interface ChunkLayout {
    /** Tokens per chunk (llama-perplexity's `-c`). */
    context: number;
    /** Chunks scored. */
    chunks: number;
    /** First scored position of a chunk: context / 2, rounded down. */
    first: number;
    /** Scored positions per chunk: context − 1 − first. */
    perChunk: number;
}

/**
 * The chunks llama-perplexity would score: all whole chunks of `tokenCount` tokens, or the first `requested` of them.
 * Throws a `RangeError` when the corpus holds less than one chunk or the context is below 4 tokens.
 */
export function chunkLayout(tokenCount: number, context: number, requested?: number | null): ChunkLayout & { available: number } {
    if (!Number.isSafeInteger(context) || context < 4) throw new RangeError(`Expected a context of at least 4 tokens, got ${context}`);
    const available = Math.floor(tokenCount / context);
    if (available < 1) throw new RangeError(`the corpus is ${tokenCount} tokens, less than one chunk of ${context}`);
    const chunks = requested == null ? available : Math.min(requested, available);
    const first = Math.floor(context / 2);
    return { context, chunks, first, perChunk: context - 1 - first, available };
}

/** The n − 1 tokens fed for chunk `c`, its first replaced by `bos` (null: a model that adds no BOS). */
export function chunkInput<T extends number>(tokens: readonly T[], layout: ChunkLayout, c: number, bos: T | null): T[] {
    const start = c * layout.context;
    const input = tokens.slice(start, start + layout.context - 1);
    if (input.length !== layout.context - 1) throw new RangeError(`chunk ${c} runs past the ${tokens.length} tokens of the corpus`);
    if (bos != null) input[0] = bos;
    return input;
}

/** The token each scored position of chunk `c` predicts: the one after it in the corpus. */
export function chunkTargets<T extends number>(tokens: readonly T[], layout: ChunkLayout, c: number): T[] {
    const start = c * layout.context + layout.first + 1;
    return tokens.slice(start, start + layout.perChunk);
}
