/**
 * What a reference child does (runner/exec/references.ts starts it): load the reference model, tokenize the corpus
 * and write its next-token distributions at every scored position to the reference file (quality/computeReference.ts).
 * No speed or memory is measured here; the configs compared with the reference read the file.
 */
import { statSync } from "node:fs";
import type { ReferenceDone, ReferenceJob } from "../protocol/protocol.ts";
import type { Config } from "../plan/types.ts";
import { resolveTopK } from "../plan/qualityPlan.ts";
import { LlamaLog } from "./llamaLog.ts";
import type { MeasureHooks } from "./measureConfig.ts";
import { qualityParams } from "./measureConfig.ts";
import { openModel } from "./openModel.ts";
import { computeReference } from "./quality/computeReference.ts";
import { prepareCorpus } from "./quality/measureQuality.ts";
import { referenceDataBytes } from "../protocol/referenceFile.ts";

/** A reference file larger than this is refused before it is computed: ask for a top K instead. */
export const maxReferenceBytes = 8 * 1024 ** 3;

export async function measureReference(config: Config, modelPath: string, job: ReferenceJob, hooks: Pick<MeasureHooks, "onProgress"> = {}): Promise<ReferenceDone> {
    const plan = config.quality;
    if (plan == null) throw new Error("a reference job needs the config's quality plan");
    const params = qualityParams(config.params, plan);
    const log = new LlamaLog();
    hooks.onProgress?.({ phase: "load", step: `reference: loading ${modelPath}` });
    const opened = await openModel(modelPath, params, log);
    try {
        const { model, context } = opened;
        const corpus = prepareCorpus(model, plan, []);
        const vocabSize = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
        if (vocabSize == null || vocabSize <= 0) throw new Error("the reference model's file does not list its vocabulary");
        const topK = resolveTopK(job.topK, vocabSize);
        const shape = { chunks: corpus.layout.chunks, context: plan.context, perChunk: corpus.layout.perChunk, vocabSize, topK };
        const bytes = referenceDataBytes(shape);
        if (bytes > maxReferenceBytes)
            throw new Error(`quality.topK ${String(job.topK)}: the reference would take ${(bytes / 1024 ** 3).toFixed(1)} GiB on disk (${vocabSize} tokens × ${corpus.layout.chunks * corpus.layout.perChunk} positions); set topK to a number such as 64`);
        opened.threadSwitch.batch();
        const header = await computeReference(context.getSequence(), {
            tokens: corpus.tokens, layout: corpus.layout, bos: corpus.bos, vocabSize, topK, outPath: job.outPath,
            model: job.model, corpus: { sha256: plan.sha256 },
            settings: { kvType: params.kvType, flashAttention: params.flashAttention, batch: params.batch },
            onChunk: (done, total) => hooks.onProgress?.({ phase: "quality", step: `reference chunk ${done}/${total}`, fraction: done / total })
        });
        return { header, bytes: statSync(job.outPath).size };
    } finally {
        await opened.context.dispose();
        opened.threadSwitch.release();
        await opened.model.dispose();
    }
}
