/**
 * The suite's `quality:` block after the schema checked its shape: the corpus read (and refused when it cannot hold
 * one chunk), the reference named either as a quant of every model entry or as one model file.
 */
import crypto from "node:crypto";
import path from "node:path";
import { describeValue } from "../errors.ts";
import { syntheticQuants } from "./syntheticPresets.ts";
import suiteSchema from "../../suite.schema.json" with { type: "json" };
import { checkGgufHeader } from "./checkGgufHeader.ts";
import { isFile, readTextFile, type Expected } from "./readTextFile.ts";
import { namesVariable, suitePath } from "./suitePath.ts";
import { hubNameProblem } from "./hubNames.ts";
import { defaultQualityContext, type ModelSpec, type QualitySpec, type ReferenceSpec, type TopK } from "./types.ts";

export interface RawQuality {
    corpus: string;
    context?: number;
    chunks?: number;
    reference?: string;
    topK?: TopK;
}

/**
 * The largest corpus read: it is tokenized in every config's child (wikitext-2's test set is 1.3 MB, its training
 * set 11 MB).
 */
export const maxCorpusBytes = 64 << 20;

/** File types a clone can be re-typed to: the schema's one list. */
const cloneFileTypes: readonly string[] = suiteSchema.definitions.cloneFileType.enum;

const hubFile = /^([A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)\/(.+\.gguf)$/i;

export function toQuality(raw: RawQuality, models: readonly ModelSpec[], dir: string, expected: Expected): QualitySpec {
    const context = raw.context ?? defaultQualityContext;
    const corpus = readTextFile(["quality", "corpus"], raw.corpus, dir, expected, maxCorpusBytes);
    // no tokenizer turns a byte into less than one token, and BOS plus SentencePiece's leading space add at most two
    if (corpus.bytes.length + 2 < context)
        expected(["quality", "corpus"], `a text of at least one chunk of ${context} tokens (it has ${corpus.bytes.length} bytes; a token covers at least one)`, raw.corpus);
    return {
        corpus: corpus.path,
        text: corpus.text,
        sha256: crypto.createHash("sha256").update(corpus.bytes).digest("hex"),
        context,
        chunks: raw.chunks ?? null,
        reference: raw.reference === undefined ? null : toReference(raw.reference, models, dir, expected),
        topK: raw.topK ?? "auto"
    };
}

function toReference(written: string, models: readonly ModelSpec[], dir: string, expected: Expected): ReferenceSpec {
    const at = ["quality", "reference"];
    if (/\.gguf$/i.test(written)) {
        const resolved = suitePath(written, dir);
        if ("expected" in resolved) return expected(at, resolved.expected, written);
        const file = resolved.path;
        if (isFile(file)) {
            const problem = checkGgufHeader(file);
            if (problem) expected(at, `a GGUF model file (${path.basename(file)} is ${problem})`, written);
            return { name: written, model: { source: "path", path: file } };
        }
        const hub = namesVariable(written) ? null : hubFile.exec(written);
        // the Hub's own rules for repo ids and file names (no `..` part): refused here, not at download time
        const problem = hub == null ? null : hubNameProblem("repo", hub[1]!) ?? hubNameProblem("file", hub[2]!);
        if (problem != null) expected(at, problem, written);
        if (hub == null) expected(at, `an existing GGUF file (looked for ${file}) or \`owner/repo/file.gguf\` on the Hub`, written);
        return { name: written, model: { source: "hf", repo: hub![1]!, file: hub![2]!, revision: "main" } };
    }
    if (!/^[A-Za-z0-9_]+$/.test(written)) expected(at, "a quant name such as `F16`, or a model file ending in `.gguf`", written);
    for (const [i, model] of models.entries()) {
        if (model.source === "path")
            expected(at, `a model file (\`….gguf\`): models[${i}] is a single file with no quants to pick ${describeValue(written)} from; name the reference file instead`, written);
        if (model.source === "synthetic" && !("like" in model) && !syntheticQuants.some((q) => q === written.toUpperCase()))
            expected(at, `one of ${syntheticQuants.map((q) => `\`${q}\``).join(", ")} for the synthetic models[${i}]`, written);
        if (model.source === "synthetic" && "like" in model && !cloneFileTypes.includes(written.toUpperCase()))
            expected(at, `a file type llama-quantize makes (such as \`F16\`) for the clone models[${i}]`, written);
    }
    return { name: written, quant: written };
}
