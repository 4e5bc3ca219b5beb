/**
 * The reference pass: the reference model's next-token distribution at every scored position, written to a
 * reference file (referenceFile.ts) that every config compared with it reads. Exact form: ln p of every token;
 * top-K form: the K most likely tokens with their ln p, and the mass left outside them. Either way also ln p of the
 * target and the top token (the first with the largest logit, as llama-perplexity picks it).
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { chunkInput, chunkTargets, type ChunkLayout } from "./chunks.ts";
import { evaluateChunk, fullRequest, logitOf, topToken, type PositionRequest } from "./evaluateChunk.ts";
import { argmaxFirst, logSumExp, logSumExpFromWeight } from "./positionMath.ts";
import { ReferenceWriter, type ReferenceChunk, type ReferenceHeader } from "../../protocol/referenceFile.ts";

export interface ComputeReferenceOptions {
    tokens: readonly Token[];
    layout: ChunkLayout;
    bos: Token | null;
    vocabSize: number;
    /** Tokens kept per position, or null for every token (exact KLD). */
    topK: number | null;
    /** Where the file goes (written to a temporary file first). */
    outPath: string;
    model: ReferenceHeader["model"];
    corpus: ReferenceHeader["corpus"];
    settings: ReferenceHeader["settings"];
    onChunk?(done: number, total: number): void;
}

export async function computeReference(sequence: LlamaContextSequence, options: ComputeReferenceOptions): Promise<ReferenceHeader> {
    const { tokens, layout, bos, vocabSize: V, topK } = options;
    const started = performance.now();
    const writer = new ReferenceWriter(options.outPath, {
        model: options.model, corpus: options.corpus, context: layout.context, chunks: layout.chunks, perChunk: layout.perChunk,
        vocabSize: V, topK, bos, settings: options.settings
    }, tokens.slice(0, layout.chunks * layout.context));
    try {
        const request: PositionRequest = topK == null
            ? fullRequest
            : { token: true, totalLogitWeight: true, logits: { filter: { tokens: [], includeTop: topK } } };
        let nllSum = 0;
        for (let c = 0; c < layout.chunks; c++) {
            const targets = chunkTargets(tokens, layout, c);
            const n = layout.perChunk;
            const chunk: ReferenceChunk = { targetLogProb: new Float32Array(n), top1: new Int32Array(n) };
            if (topK == null) chunk.logProbs = new Float32Array(n * V);
            else Object.assign(chunk, { topIds: new Int32Array(n * topK), topLogProbs: new Float32Array(n * topK), tailMass: new Float32Array(n) });
            const logits = new Float64Array(V);

            await evaluateChunk(sequence, chunkInput(tokens, layout, c, bos), layout.first, (k) => (topK == null ? request : withTarget(request, targets[k]!)), (k, output) => {
                const target = targets[k]!;
                if (topK == null) {
                    const map = output.logits!;
                    if (map.size !== V) throw new Error(`expected logits of all ${V} tokens, got ${map.size}`);
                    for (const [token, logit] of map) logits[token] = logit;
                    map.clear();
                    const lse = logSumExp(logits);
                    for (let i = 0; i < V; i++) chunk.logProbs![k * V + i] = logits[i]! - lse;
                    chunk.top1[k] = argmaxFirst(logits);
                    chunk.targetLogProb[k] = logits[target]! - lse;
                    nllSum += lse - logits[target]!;
                    return;
                }
                const top1 = topToken(output);
                const lse = logSumExpFromWeight(logitOf(output, top1), output.totalLogitWeight!);
                // includeTop puts the K best first, most likely first (the target follows when it is not among them)
                const best = [...output.logits!].slice(0, topK);
                if (best.length !== Math.min(topK, V)) throw new Error(`expected the top ${topK} logits, got ${best.length}`);
                let head = 0;
                best.forEach(([token, logit], j) => {
                    chunk.topIds![k * topK + j] = token;
                    chunk.topLogProbs![k * topK + j] = logit - lse;
                    head += Math.exp(logit - lse);
                });
                chunk.tailMass![k] = Math.max(0, 1 - head);
                chunk.top1[k] = top1;
                chunk.targetLogProb[k] = logitOf(output, target) - lse;
                nllSum += lse - logitOf(output, target);
            });
            writer.addChunk(chunk);
            options.onChunk?.(c + 1, layout.chunks);
        }
        const positions = layout.chunks * layout.perChunk;
        return writer.finish({ perplexity: Math.exp(nllSum / positions), computeMs: performance.now() - started });
    } catch (error) {
        writer.abort();
        throw error;
    }
}

function withTarget(request: PositionRequest, target: Token): PositionRequest {
    const logits = request.logits as { filter: { tokens: readonly Token[]; includeTop: number } };
    return { ...request, logits: { filter: { ...logits.filter, tokens: [target] } } };
}
