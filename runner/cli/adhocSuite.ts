/**
 * `bench --model PATH|OWNER/REPO/FILE.gguf --prompt "..."`: a one-config suite built from the command line;
 * `--model like:PATH|OWNER/REPO/FILE.gguf [--quant FILE_TYPE]` runs a synthetic clone of that file instead.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { fileTypeNames, parseFileType } from "../models/gguf/fileTypes.ts";
import { assertHubNames } from "../suite/hubNames.ts";
import { checkGgufHeader } from "../suite/checkGgufHeader.ts";
import { parseLike } from "../suite/parseLike.ts";
import { defaultSettings, type ModelSpec, type Settings, type Suite } from "../suite/types.ts";

export function adhocSuite(model: string, prompt: string, overrides: Partial<Settings>, quant?: string): Suite {
    if (prompt.trim() === "") throw new InputError("--prompt: expected a non-empty prompt");
    if (quant != null && !model.startsWith("like:")) throw new InputError("--quant: only with --model like:… (it re-types a synthetic clone)");
    return {
        name: "ad-hoc",
        path: "(command line)",
        sha256: createHash("sha256").update(JSON.stringify({ model, prompt, overrides, quant })).digest("hex"),
        defaults: { ...defaultSettings, repetitions: 1, warmup: 0, ...overrides },
        models: [model.startsWith("like:") ? cloneSpec(model.slice("like:".length), quant) : modelSpec(model)],
        matrix: {},
        prompts: [{ id: "prompt", text: prompt, kind: "chat" }],
        tests: []
    };
}

/** `like:…`: a local GGUF (its header alone is read) or a Hub file, named as a suite's `synthetic: { like }` is. */
function cloneSpec(like: string, quant: string | undefined): ModelSpec {
    const parsed = parseLike(like, process.cwd());
    if ("expected" in parsed) throw new InputError(`--model like:${visible(like)}: expected ${parsed.expected}`);
    const fileType = quant == null ? undefined : parseFileType(quant);
    if (quant != null && fileType == null) throw new InputError(`--quant: expected a file type llama-quantize makes (${fileTypeNames.join(", ")}), got \`${visible(quant)}\``);
    return { source: "synthetic", like: parsed, quants: fileType == null ? null : [fileType], seed: 1 };
}

/** A local file is checked as a suite's `path:` is (a readable GGUF header whose tensors fit); else a Hub file. */
function modelSpec(model: string): ModelSpec {
    if (model === "") throw new InputError("--model: expected a GGUF file or OWNER/REPO/FILE.gguf, got an empty value");
    const absolute = path.resolve(model);
    const stats = statSync(absolute, { throwIfNoEntry: false });
    if (stats != null) {
        if (!stats.isFile()) throw new InputError(`--model: expected a GGUF model file, got \`${visible(model)}\`, which is a directory or other non-file`);
        const problem = checkGgufHeader(absolute);
        if (problem != null) throw new InputError(`--model: expected a GGUF model file, got \`${visible(model)}\`: ${visible(path.basename(absolute))} is ${problem}`);
        return { source: "path", path: absolute };
    }
    const hub = /^([^/]+\/[^/]+)\/(.+\.gguf)$/i.exec(model);
    if (hub == null) throw new InputError(`--model: no such file \`${visible(model)}\`, and not a Hugging Face OWNER/REPO/FILE.gguf either`);
    assertHubNames({ repo: hub[1]!, revision: "main", file: hub[2]! }, "--model");
    return { source: "hf", repo: hub[1]!, file: hub[2]!, revision: "main" };
}
