/**
 * A config's quality pass, inside its child after the prompts and tests: the corpus tokenized as llama-perplexity
 * tokenizes it, checked against the reference it is compared with, then scored chunk by chunk (scoreCorpus.ts).
 * Refuses, with one line, a corpus shorter than one chunk, a context longer than the model was trained on, and a
 * model whose vocabulary or tokenization differs from the reference's.
 */
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { ReferenceInput } from "../../protocol/protocol.ts";
import type { QualityPlan } from "../../plan/types.ts";
import type { QualityRecord } from "../../results.ts";
import type { Warning } from "../../warnings.ts";
import { readPeakRssBytes } from "../peakRss.ts";
import { chunkLayout, type ChunkLayout } from "./chunks.ts";
import { ReferenceReader } from "../../protocol/referenceFile.ts";
import { scoreCorpus } from "./scoreCorpus.ts";

/** The corpus as llama-perplexity tokenizes it (`common_tokenize(ctx, text, add_special = true)`): BOS first when the model adds one. */
export function corpusTokens(model: LlamaModel, text: string): { tokens: Token[]; bos: Token | null } {
    const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
    return { tokens: [...(bos != null ? [bos] : []), ...model.tokenize(text, false)], bos };
}

/** A tokenized corpus and the chunks to score in it. */
export interface PreparedCorpus {
    tokens: Token[];
    bos: Token | null;
    layout: ChunkLayout;
}

/**
 * The corpus tokenized and cut into chunks, or an `Error` worded for the user when the corpus or the context cannot
 * make one; a request for more chunks than there are is a warning.
 */
export function prepareCorpus(model: LlamaModel, plan: QualityPlan, warnings: Warning[]): PreparedCorpus {
    const { tokens, bos } = corpusTokens(model, plan.text);
    return { tokens, bos, layout: qualityLayout(model, plan, tokens.length, warnings) };
}

function qualityLayout(model: LlamaModel, plan: QualityPlan, tokenCount: number, warnings: Warning[]): ChunkLayout {
    if (plan.context > model.trainContextSize)
        throw new Error(`quality.context ${plan.context} does not fit: the model was trained on ${model.trainContextSize} tokens of context`);
    let layout: ReturnType<typeof chunkLayout>;
    try {
        layout = chunkLayout(tokenCount, plan.context, plan.chunks);
    } catch (error) {
        throw new Error(`quality.corpus is too short: ${(error as Error).message}`);
    }
    if (plan.chunks != null && plan.chunks > layout.available)
        warnings.push({ kind: "qualityChunksCapped", asked: plan.chunks, available: layout.available, context: plan.context });
    return layout;
}

export interface MeasureQualityOptions {
    model: LlamaModel;
    /** The sequence of a context of exactly `plan.context` cells. */
    sequence: LlamaContextSequence;
    plan: QualityPlan;
    corpus: PreparedCorpus;
    reference?: ReferenceInput;
    /** Before the pass: put the context's threads at the batch count (threadSwitch.ts). */
    beforeBatches(): void;
    onChunk(done: number, total: number): void;
}

export async function measureQuality(options: MeasureQualityOptions): Promise<QualityRecord> {
    const { model, sequence, plan, corpus: { tokens, bos, layout } } = options;
    const reader = options.reference == null ? undefined : new ReferenceReader(options.reference.path);
    try {
        if (reader != null) checkSameTokens(reader, model, tokens, layout);
        options.beforeBatches();
        const started = performance.now();
        const positions = await scoreCorpus(sequence, { tokens, layout, bos, ...(reader != null ? { reference: reader } : {}), onChunk: options.onChunk });
        const ms = performance.now() - started;
        for (const [i, v] of [...positions.nll, ...(positions.kld ?? [])].entries())
            if (!Number.isFinite(v)) throw new Error(`quality: a non-finite score (${v}) at sample ${i}: the model's logits are not finite`);
        return {
            corpus: { path: plan.corpus, sha256: plan.sha256 },
            context: layout.context,
            chunks: layout.chunks,
            corpusTokens: tokens.length,
            reference: options.reference?.info ?? null,
            ms,
            peakRssBytes: readPeakRssBytes(),
            positions
        };
    } finally {
        reader?.close();
    }
}

/** The reference was computed on the same tokens, or this model's vocabulary differs from the reference's. */
function checkSameTokens(reader: ReferenceReader, model: LlamaModel, tokens: readonly Token[], layout: ChunkLayout): void {
    const { header } = reader;
    const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
    if (vocabSize != null && vocabSize !== header.vocabSize)
        throw new Error(`the model's vocabulary (${vocabSize} tokens) differs from the reference ${header.model.file} (${header.vocabSize} tokens)`);
    if (header.context !== layout.context || header.chunks !== layout.chunks)
        throw new Error(`the reference file covers ${header.chunks} chunk(s) of ${header.context} tokens, this pass ${layout.chunks} of ${layout.context}: the model tokenizes the corpus differently, so its vocabulary differs from the reference ${header.model.file}`);
    const expected = reader.tokens();
    for (let i = 0; i < expected.length; i++) {
        if (expected[i] !== tokens[i])
            throw new Error(`the model tokenizes the corpus differently from the reference ${header.model.file} (token ${i}: ${tokens[i]} vs ${expected[i]}): its vocabulary differs`);
    }
}
