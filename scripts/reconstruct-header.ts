/**
 * Writes the GGUF header (no weights) of a published model rebuilt from its published hyperparameters and tensor
 * list, with a real tokenizer from a vocab-only GGUF of llama.cpp's source (models/ggml-vocab-*.gguf): something
 * `synthetic: { like: … }` can clone where the Hub is out of reach. The header is a reconstruction, not the
 * published file's: key order, general.* keys and the exact chat template may differ; shapes and types do not.
 *
 *   npx tsx scripts/reconstruct-header.ts qwen2.5-1.5b-instruct VOCAB_DIR OUT.gguf
 *
 * VOCAB_DIR holds ggml-vocab-qwen2.gguf (the `models/` folder of the llama.cpp source, e.g. the one node-llama-cpp ships).
 */
import path from "node:path";
import { GGUFValueType, type GgufMetadataEntry } from "../runner/models/gguf/ggufWriter.ts";
import { readGgufHeader } from "../runner/models/gguf/ggufHeader.ts";
import { fileSource } from "../runner/models/hub/hubHeader.ts";
import { writeHeaderFile, type ArchShape } from "../test/standalone/fixtures/archHeaders.ts";

interface Published {
    shape: Omit<ArchShape, "tokenizer">;
    vocab: string;
    /** Tokenizer keys the published GGUF sets differently from the vocab file. */
    tokenizer: Record<string, GgufMetadataEntry>;
}

/**
 * Qwen2.5-1.5B-Instruct, from its config.json on the Hub (Qwen/Qwen2.5-1.5B-Instruct): hidden_size 1536,
 * intermediate_size 8960, 28 layers, 12 attention heads, 2 key/value heads, max_position_embeddings 32768,
 * rope_theta 1e6, rms_norm_eps 1e-6, tie_word_embeddings true, vocab_size 151936; q/k/v projections with biases
 * (Qwen2Attention); eos <|im_end|> (151645), bos and padding <|endoftext|> (151643), no BOS added.
 */
const published: Record<string, Published> = {
    "qwen2.5-1.5b-instruct": {
        shape: { layout: "qwen2", dim: 1536, layers: 28, ffn: 8960, heads: 12, kvHeads: 2, tied: true, contextLength: 32768, name: "Qwen2.5 1.5B Instruct (reconstructed header)" },
        vocab: "ggml-vocab-qwen2.gguf",
        tokenizer: {
            "tokenizer.ggml.eos_token_id": { type: GGUFValueType.UINT32, value: 151645 },
            "tokenizer.ggml.add_bos_token": { type: GGUFValueType.BOOL, value: false }
        }
    }
};

const [model, vocabDir, out] = process.argv.slice(2);
const spec = model == null ? undefined : published[model];
if (spec == null || vocabDir == null || out == null) {
    console.error(`usage: reconstruct-header.ts ${Object.keys(published).join("|")} VOCAB_DIR OUT.gguf`);
    process.exit(2);
}
const vocab = await readGgufHeader(fileSource(path.join(vocabDir, spec.vocab)));
const tokenizer = Object.fromEntries(Object.entries(vocab.metadata).filter(([key]) => key.startsWith("tokenizer.")));
await writeHeaderFile(out, { ...spec.shape, tokenizer: { ...tokenizer, ...spec.tokenizer } });
console.log(`wrote ${out}: ${model}, ${(tokenizer["tokenizer.ggml.tokens"]?.value as string[]).length} tokens from ${spec.vocab}`);
