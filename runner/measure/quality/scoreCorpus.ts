/**
 * Scores a corpus with the loaded model, exactly as llama-perplexity does (chunks.ts), and against a cached reference
 * when there is one: the raw samples of every scored position, from which runner/stats/qualityFigures.ts computes
 * the figures.
 *
 * Per position the model is asked for as little as the figures need: the target's logit, the top token and the
 * total logit weight (perplexity, top-1, Δp, same top-1); plus the logits of the reference's top K tokens (top-K
 * KLD), or every logit (exact KLD against a reference that kept every token).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { QualityPositions } from "../../results.ts";
import { chunkInput, chunkTargets, type ChunkLayout } from "./chunks.ts";
import { evaluateChunk, filteredRequest, fullRequest, logitOf, topToken } from "./evaluateChunk.ts";
import { klExact, klTopK, logSumExp, logSumExpFromWeight } from "./positionMath.ts";
import type { ReferenceReader } from "../../protocol/referenceFile.ts";

export interface ScoreCorpusOptions {
    /** The corpus tokens, BOS first when the model adds one. */
    tokens: readonly Token[];
    layout: ChunkLayout;
    /** BOS put first in every chunk, or null. */
    bos: Token | null;
    /** The reference to compare with, open; its chunks must be the same as `layout`'s. Defaults to none. */
    reference?: ReferenceReader;
    /** Called after each chunk. */
    onChunk?(done: number, total: number): void;
}

export async function scoreCorpus(sequence: LlamaContextSequence, options: ScoreCorpusOptions): Promise<QualityPositions> {
    const { tokens, layout, bos, reference } = options;
    const out: QualityPositions = { token: [], nll: [], top1: [] };
    if (reference != null) {
        out.nllRef = [];
        out.top1Ref = [];
        out.kld = [];
        if (reference.header.topK != null) out.tailRef = [];
    }
    const topK = reference?.header.topK ?? null;

    for (let c = 0; c < layout.chunks; c++) {
        const targets = chunkTargets(tokens, layout, c);
        const ref = reference?.chunk(c);
        const exact = ref != null && topK == null;
        const V = reference?.header.vocabSize ?? 0;
        const request = (k: number) => {
            if (exact) return fullRequest;
            if (ref == null || topK == null) return filteredRequest([targets[k]!]);
            return filteredRequest([targets[k]!, ...ref.topIds!.subarray(k * topK, (k + 1) * topK) as unknown as Iterable<Token>]);
        };
        const rows = { nll: new Array<number>(layout.perChunk), top1: new Array<number>(layout.perChunk), kld: new Array<number>(layout.perChunk) };
        await evaluateChunk(sequence, chunkInput(tokens, layout, c, bos), layout.first, request, (k, output) => {
            const top1 = topToken(output);
            const lse = exact ? logSumExp([...output.logits!.values()]) : logSumExpFromWeight(logitOf(output, top1), output.totalLogitWeight!);
            rows.nll[k] = lse - logitOf(output, targets[k]!);
            rows.top1[k] = top1;
            if (ref != null) {
                const kl = exact
                    ? klExact(ref.logProbs!.subarray(k * V, (k + 1) * V), output.logits!, lse)
                    : klTopK(ref.topIds!.subarray(k * topK!, (k + 1) * topK!), ref.topLogProbs!.subarray(k * topK!, (k + 1) * topK!), output.logits!, lse);
                // a divergence is never negative; the reference's float32 log-probs can make an identical model's −1e-9
                rows.kld[k] = Math.max(0, kl);
            }
            // a full-vocabulary map is large: drop it now, not when the whole chunk is done
            if (exact) (output.logits as Map<number, number>).clear();
        });
        for (let k = 0; k < layout.perChunk; k++) {
            out.token.push(targets[k]!);
            out.nll.push(rows.nll[k]!);
            out.top1.push(rows.top1[k]!);
            if (ref != null) {
                out.nllRef!.push(-ref.targetLogProb[k]!);
                out.top1Ref!.push(ref.top1[k]!);
                out.kld!.push(rows.kld[k]!);
                if (ref.tailMass != null) out.tailRef!.push(ref.tailMass[k]!);
            }
        }
        options.onChunk?.(c + 1, layout.chunks);
    }
    return out;
}
