/** `${NAME}` in a suite's file names: taken from the environment, so a shared suite needs no author's paths. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { suitePath } from "../../runner/suite/suitePath.ts";

let dir: string;
let elsewhere: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-suitepath-"));
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-suitepath-models-"));
    fs.writeFileSync(path.join(elsewhere, "prompt.txt"), "Once upon a time, there was a prompt kept elsewhere.\n");
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

function parse(text: string) {
    const file = path.join(dir, "suite.yaml");
    fs.writeFileSync(file, text);
    return parseSuite(file);
}

function errorOf(text: string): string {
    try {
        parse(text);
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
    }
    throw new Error("the suite was accepted");
}

describe("suitePath", () => {
    it("replaces ${NAME} from the environment and resolves against the suite's folder", () => {
        expect(suitePath("${MODELS}/a.gguf", "/suites", { MODELS: "/data/models" })).toEqual({ path: "/data/models/a.gguf" });
        expect(suitePath("${REL}/a.gguf", "/suites", { REL: "../m" })).toEqual({ path: "/m/a.gguf" });
        expect(suitePath("plain/a.gguf", "/suites", {})).toEqual({ path: "/suites/plain/a.gguf" });
    });

    it("names a variable that is unset or empty, and a `${` that is not a variable", () => {
        expect(suitePath("${MODELS}/a.gguf", "/s", {})).toEqual({ expected: "the environment variable MODELS to be set (the path uses ${MODELS})" });
        expect(suitePath("${MODELS}/a.gguf", "/s", { MODELS: "" })).toEqual({ expected: "the environment variable MODELS to be set (the path uses ${MODELS})" });
        expect(suitePath("${1X}/a.gguf", "/s", {})).toMatchObject({ expected: expect.stringMatching(/^`\$\{NAME\}` with NAME of letters/) });
    });
});

describe("a suite whose files come from the environment", () => {
    const tail = "tests: [{ pp: 8 }]\n";

    it("reads a prompt file and looks for models under the variable's folder", () => {
        vi.stubEnv("GGUF_BENCH_SUITE_FILES", elsewhere);
        const suite = parse(`name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\nprompts:\n  - { id: p, file: "\${GGUF_BENCH_SUITE_FILES}/prompt.txt" }\n`);
        expect(suite.prompts[0]!.text).toContain("a prompt kept elsewhere");
        expect(errorOf(`name: x\nmodels:\n  - path: "\${GGUF_BENCH_SUITE_FILES}/m.gguf"\n${tail}`))
            .toContain(`models[0].path: expected an existing file (looked for ${path.join(elsewhere, "m.gguf")})`);
        expect(errorOf(`name: x\nmodels:\n  - synthetic: { like: "\${GGUF_BENCH_SUITE_FILES}/m.gguf" }\n${tail}`))
            .toContain(`models[0].synthetic.like: expected an existing GGUF file (looked for ${path.join(elsewhere, "m.gguf")})`);
    });

    it("refuses, naming the key and the variable, when the variable is not set", () => {
        vi.stubEnv("GGUF_BENCH_SUITE_FILES", "");
        expect(errorOf(`name: x\nmodels:\n  - path: "\${GGUF_BENCH_SUITE_FILES}/m.gguf"\n${tail}`))
            .toMatch(/ models\[0\]\.path: expected the environment variable GGUF_BENCH_SUITE_FILES to be set \(the path uses \$\{GGUF_BENCH_SUITE_FILES\}\), got `\$\{GGUF_BENCH_SUITE_FILES\}\/m\.gguf`/);
        expect(errorOf(`name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\nquality: { corpus: "\${GGUF_BENCH_SUITE_FILES}/c.txt" }\n${tail}`))
            .toMatch(/quality\.corpus: expected the environment variable GGUF_BENCH_SUITE_FILES to be set/);
        expect(errorOf(`name: x\nmodels:\n  - synthetic: { like: "\${GGUF_BENCH_SUITE_FILES}/m.gguf" }\n${tail}`))
            .toMatch(/models\[0\]\.synthetic\.like: expected the environment variable GGUF_BENCH_SUITE_FILES to be set/);
    });
});
