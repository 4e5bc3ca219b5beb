/** `bench --model PATH|OWNER/REPO/FILE.gguf --prompt "..."`: a one-config suite built from the command line. */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { defaultSettings, type ModelSpec, type Settings, type Suite } from "../suite/types.ts";

export function adhocSuite(model: string, prompt: string, overrides: Partial<Settings>): Suite {
    if (prompt.trim() === "") throw new InputError("--prompt: expected a non-empty prompt");
    return {
        name: "ad-hoc",
        path: "(command line)",
        sha256: createHash("sha256").update(JSON.stringify({ model, prompt, overrides })).digest("hex"),
        defaults: { ...defaultSettings, repetitions: 1, warmup: 0, ...overrides },
        models: [modelSpec(model)],
        matrix: {},
        prompts: [{ id: "prompt", text: prompt, kind: "chat" }],
        tests: []
    };
}

function modelSpec(model: string): ModelSpec {
    const absolute = path.resolve(model);
    if (existsSync(absolute)) return { source: "path", path: absolute };
    const hub = /^([\w.-]+\/[\w.-]+)\/(.+\.gguf)$/i.exec(model);
    if (hub != null && !model.startsWith(".") && !model.startsWith("/")) return { source: "hf", repo: hub[1]!, file: hub[2]!, revision: "main" };
    throw new InputError(`--model: no such file \`${model}\`, and not a Hugging Face OWNER/REPO/FILE.gguf either`);
}
