/**
 * `bench --model PATH|OWNER/REPO/FILE.gguf --prompt "..."`: a one-config suite built from the command line;
 * `--model like:PATH|OWNER/REPO/FILE.gguf [--quant FILE_TYPE]` runs a synthetic clone of that file instead.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { fileTypeNames, parseFileType } from "../models/fileTypes.ts";
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

function cloneSpec(like: string, quant: string | undefined): ModelSpec {
    const parsed = parseLike(like, process.cwd());
    if ("expected" in parsed) throw new InputError(`--model like:${like}: expected ${parsed.expected}`);
    const fileType = quant == null ? undefined : parseFileType(quant);
    if (quant != null && fileType == null) throw new InputError(`--quant: expected a file type llama-quantize makes (${fileTypeNames.join(", ")}), got \`${quant}\``);
    return { source: "synthetic", like: parsed, quants: fileType == null ? null : [fileType], seed: 1 };
}

function modelSpec(model: string): ModelSpec {
    const absolute = path.resolve(model);
    if (existsSync(absolute)) return { source: "path", path: absolute };
    const hub = /^([\w.-]+\/[\w.-]+)\/(.+\.gguf)$/i.exec(model);
    if (hub != null && !model.startsWith(".") && !model.startsWith("/")) return { source: "hf", repo: hub[1]!, file: hub[2]!, revision: "main" };
    throw new InputError(`--model: no such file \`${model}\`, and not a Hugging Face OWNER/REPO/FILE.gguf either`);
}
