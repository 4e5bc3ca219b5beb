/**
 * A model's vocabulary as its GGUF header lists it, reduced to what decides whether two models score the same
 * tokens: the tokenizer model, the number of tokens and a digest of their texts in id order. Quality figures against
 * a reference only make sense when these are equal (per-position distributions are compared token id by token id).
 */
import { createHash } from "node:crypto";
import { readGgufFileInfo } from "node-llama-cpp";

export interface Vocabulary {
    /** `tokenizer.ggml.model`, e.g. `llama` (SentencePiece) or `gpt2` (byte-level BPE). */
    model: string;
    size: number;
    /** sha256 of the token texts in id order. */
    digest: string;
    /** `<arch>.context_length`: the context the model was trained on, when the header says. */
    trainedContext: number | null;
}

const read = new Map<string, Promise<Vocabulary>>();

/** The vocabulary of the GGUF file at `file` (memoized per path). Rejects with the reader's reason for an unreadable header. */
export function vocabularyOf(file: string): Promise<Vocabulary> {
    let vocabulary = read.get(file);
    if (vocabulary == null) {
        vocabulary = readVocabulary(file);
        vocabulary.catch(() => read.delete(file));
        read.set(file, vocabulary);
    }
    return vocabulary;
}

async function readVocabulary(file: string): Promise<Vocabulary> {
    const info = await readGgufFileInfo(file, {
        logWarnings: false,
        ignoreKeys: ["tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"]
    });
    const metadata = info.metadata as { general?: { architecture?: string }; tokenizer?: { ggml?: { model?: string; tokens?: readonly string[] } } } & Record<string, unknown>;
    const tokens = metadata.tokenizer?.ggml?.tokens ?? [];
    const hash = createHash("sha256");
    for (const token of tokens) hash.update(token).update("\0");
    const arch = metadata.general?.architecture;
    const archInfo = arch != null ? metadata[arch] as { context_length?: number } | undefined : undefined;
    return {
        model: String(metadata.tokenizer?.ggml?.model ?? "unknown"),
        size: tokens.length,
        digest: hash.digest("hex"),
        trainedContext: typeof archInfo?.context_length === "number" ? archInfo.context_length : null
    };
}

/** Why `model`'s vocabulary cannot be compared with `reference`'s, in one line; null when they are the same. */
export function vocabularyMismatch(model: Vocabulary, reference: Vocabulary, names: { model: string; reference: string }): string | null {
    if (model.model === reference.model && model.size === reference.size && model.digest === reference.digest) return null;
    const what = model.size !== reference.size ? `${model.size} tokens against ${reference.size}`
        : model.model !== reference.model ? `tokenizer ${model.model} against ${reference.model}`
            : "the same number of tokens, but different ones";
    return `the vocabulary of ${names.model} differs from the reference ${names.reference} (${what}): KLD and same-top-1 compare token ids, so they cannot be computed`;
}
