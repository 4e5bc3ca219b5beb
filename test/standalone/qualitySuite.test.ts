import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { ensureSyntheticModel } from "../../runner/models/synthetic/synthetic.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { resolveTopK } from "../../runner/plan/qualityPlan.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";

let dir: string;
let tinyModel: string;
beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-quality-suite-"));
    tinyModel = await ensureSyntheticModel({ preset: "tiny", quant: "Q8_0", seed: 1 }, dir);
    fs.writeFileSync(path.join(dir, "corpus.txt"), "Once upon a time there was a small model. ".repeat(40));
    fs.writeFileSync(path.join(dir, "short.txt"), "Too short.");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string): string {
    const file = path.join(dir, `suite-${++counter}.yaml`);
    fs.writeFileSync(file, text);
    return file;
}

function errorOf(text: string): string {
    try {
        parseSuite(write(text));
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message).not.toContain("\n");
        return (error as Error).message;
    }
    throw new Error("expected the suite to be refused");
}

const synthetic = "models:\n  - synthetic: { preset: tiny, quant: [Q8_0, Q4_0] }\n";

describe("the quality block", () => {
    it("reads the corpus, fills the defaults and is enough on its own (no prompts or tests needed)", () => {
        const suite = parseSuite(write(`name: q\n${synthetic}quality:\n  corpus: corpus.txt\n`));
        expect(suite.quality).toMatchObject({
            corpus: path.join(dir, "corpus.txt"), context: 512, chunks: null, reference: null, topK: "auto"
        });
        expect(suite.quality!.text.startsWith("Once upon a time")).toBe(true);
        expect(suite.quality!.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(suite.prompts).toEqual([]);
        expect(suite.tests).toEqual([]);
    });

    it("a quant reference becomes each entry's own quant; a file reference is one model for all", () => {
        const suite = parseSuite(write(`name: q
models:
  - synthetic: { preset: tiny, quant: [Q8_0, Q4_0], seed: 3 }
  - hf: Qwen/Qwen2.5-0.5B-Instruct-GGUF
    quants: [Q4_K_M]
quality: { corpus: corpus.txt, context: 64, chunks: 2, reference: f16, topK: 32 }
`));
        const configs = planConfigs(suite);
        expect(configs.map((c) => c.quality!.reference!.model)).toEqual([
            { source: "synthetic", preset: "tiny", quant: "F16", seed: 3 },
            { source: "synthetic", preset: "tiny", quant: "F16", seed: 3 },
            { source: "hf", repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF", revision: "main", quant: "f16" }
        ]);
        expect(configs[0]!.quality).toMatchObject({ context: 64, chunks: 2, topK: 32 });

        const byFile = parseSuite(write(`name: q\n${synthetic}quality: { corpus: corpus.txt, reference: owner/repo/base-f16.gguf }\n`));
        expect(planConfigs(byFile)[0]!.quality!.reference).toEqual({
            name: "owner/repo/base-f16.gguf", model: { source: "hf", repo: "owner/repo", file: "base-f16.gguf", revision: "main" }
        });
    });

    it("is part of a config's id only when present, and its corpus, context and reference change the id", () => {
        const plain = planConfigs(parseSuite(write(`name: q\n${synthetic}tests:\n  - pp: 8\n`)))[0]!;
        const withQuality = (block: string) => planConfigs(parseSuite(write(`name: q\n${synthetic}tests:\n  - pp: 8\nquality: ${block}\n`)))[0]!.id;
        const a = withQuality("{ corpus: corpus.txt, context: 64 }");
        expect(a).not.toBe(plain.id);
        expect(withQuality("{ corpus: corpus.txt, context: 64 }")).toBe(a);
        expect(withQuality("{ corpus: corpus.txt, context: 128 }")).not.toBe(a);
        expect(withQuality("{ corpus: corpus.txt, context: 64, reference: F16 }")).not.toBe(a);
    });

    it.each([
        ["a corpus that does not exist", "{ corpus: nothing.txt }", /quality\.corpus: expected an existing file/],
        ["a corpus shorter than one chunk", "{ corpus: short.txt, context: 64 }", /quality\.corpus: expected a text of at least one chunk of 64 tokens \(it has 10 bytes/],
        ["an unknown key", "{ corpus: corpus.txt, ctx: 64 }", /quality\.ctx: expected one of the keys `corpus`, `context`/],
        ["a bad topK", "{ corpus: corpus.txt, topK: none }", /quality\.topK: expected `auto`, `all` or an integer >= 1, got `none`/],
        ["a context below 16", "{ corpus: corpus.txt, context: 8 }", /quality\.context: expected an integer >= 16/],
        ["a synthetic quant the writer cannot make", "{ corpus: corpus.txt, reference: Q2_K }", /quality\.reference: expected one of `F32`, `F16`, `Q8_0`, `Q4_0` for the synthetic models\[0\]/],
        ["a file that is neither on disk nor owner/repo/file.gguf", "{ corpus: corpus.txt, reference: base.gguf }", /quality\.reference: expected an existing GGUF file \(looked for .*base\.gguf\) or `owner\/repo\/file\.gguf`/],
        ["a Hub reference whose file climbs out of the repo", "{ corpus: corpus.txt, reference: owner/repo/../../x.gguf }", /quality\.reference: expected a path inside the repo ending in `\.gguf`.*got `owner\/repo\/\.\.\/\.\.\/x\.gguf`/],
        ["something that is neither a quant nor a file", "{ corpus: corpus.txt, reference: 'F16 please' }", /quality\.reference: expected a quant name such as `F16`/]
    ])("refuses %s with file:line:col and the key", (_name, block, pattern) => {
        const message = errorOf(`name: q\n${synthetic}quality: ${block}\n`);
        expect(message).toMatch(/^.*suite-\d+\.yaml:\d+:\d+ /);
        expect(message).toMatch(pattern);
    });

    it("refuses a quant reference for a model given as a single file, and takes a file reference instead", () => {
        const message = errorOf(`name: q\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\n  - path: ${tinyModel}\nquality: { corpus: corpus.txt, reference: F16 }\n`);
        expect(message).toMatch(/quality\.reference: expected a model file \(`….gguf`\): models\[1\] is a single file with no quants to pick `F16` \(string\) from/);
        const suite = parseSuite(write(`name: q\nmodels:\n  - path: ${tinyModel}\nquality: { corpus: corpus.txt, reference: ${path.relative(dir, tinyModel)} }\n`));
        expect(suite.quality!.reference).toEqual({ name: path.relative(dir, tinyModel), model: { source: "path", path: tinyModel } });
    });
});

describe("topK", () => {
    it("auto keeps every token of a small vocabulary and the top 64 of a large one; all keeps every token", () => {
        expect(resolveTopK("auto", 512)).toBeNull();
        expect(resolveTopK("auto", 32000)).toBe(64);
        expect(resolveTopK("all", 151936)).toBeNull();
        expect(resolveTopK(100, 50)).toBe(50);
    });
});
