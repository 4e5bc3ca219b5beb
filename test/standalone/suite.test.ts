import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import suiteSchema from "../../suite.schema.json" with { type: "json" };
import { InputError } from "../../runner/errors.ts";
import { syntheticPresets, syntheticQuants } from "../../runner/suite/syntheticPresets.ts";
import { fileTypeNames } from "../../runner/models/gguf/fileTypes.ts";
import { SchemaChecker } from "../../runner/suite/checkSchema.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { defaultSettings, gpuBackends, kvTypes, sweepableKeys, type Suite } from "../../runner/suite/types.ts";

const modelsDir = process.env.GGUF_BENCH_TEST_MODELS ?? path.resolve("../shared/models");
const stories = path.join(modelsDir, "stories260K.gguf");
const haveStories = fs.existsSync(stories);

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-suite-"));
    fs.mkdirSync(path.join(dir, "prompts"));
    fs.writeFileSync(path.join(dir, "prompts", "long.txt"), "Once upon a time, there was a tiny model.\n");
    fs.writeFileSync(path.join(dir, "fake.gguf"), "NOTGGUF!".repeat(16));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string | Buffer, name = `suite-${++counter}.yaml`): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

/** The InputError message parseSuite throws for this text (fails the test if it does not throw one). */
function errorOf(text: string | Buffer): { file: string; message: string } {
    const file = write(text);
    try {
        parseSuite(file);
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        const message = (error as InputError).message;
        expect(message).not.toContain("\n");
        return { file, message };
    }
    throw new Error(`expected ${file} to be rejected`);
}

const tail = "models:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - pp: 8\n";

describe("parseSuite: a valid suite", () => {
    it("round-trips every form of DESIGN.md into the Suite contract", () => {
        const text = `# yaml-language-server: $schema=../suite.schema.json
name: qwen-quants
description: Qwen2.5 1.5B Instruct, quant ladder on this machine
defaults:
  repetitions: 5
  warmup: 0
  context: 4096
  gpuLayers: 12
  threads: 1
  flashAttention: true
  kvType: q8_0
  temperature: 0.5
  gpu: false
  timeout: 60.5
models:
  - hf: Qwen/Qwen2.5-1.5B-Instruct-GGUF
    quants: [Q3_K_M, Q4_K_M]
  - hf: Qwen/Qwen2.5-0.5B-Instruct-GGUF
    file: qwen2.5-0.5b-instruct-q4_k_m.gguf
    revision: v1.0
  - synthetic: { preset: tiny, quant: q8_0 }
  - synthetic: { preset: small, quant: [f16, Q4_0], seed: 7 }
matrix:
  mode: [stream, batch]
  context: [8192, 16384]
  gpuLayers: [max, 0]
prompts:
  - id: explain
    text: Explain quantum computing in two paragraphs.
  - id: long-doc
    file: prompts/long.txt
    kind: completion
tests:
  - pp: 512
  - tg: 128
  - { pp: 512, tg: 128, depth: 4096 }
  - { tg: 16, depth: 1 }
`;
        const file = write(text);
        const suite = parseSuite(file);
        const expected: Suite = {
            name: "qwen-quants",
            description: "Qwen2.5 1.5B Instruct, quant ladder on this machine",
            path: file,
            sha256: "", // checked below
            defaults: {
                ...defaultSettings,
                repetitions: 5, warmup: 0, context: 4096, gpuLayers: 12, threads: 1, flashAttention: true,
                kvType: "q8_0", temperature: 0.5, gpu: false, timeout: 60.5
            },
            models: [
                { source: "hf", repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", quants: ["Q3_K_M", "Q4_K_M"], revision: "main" },
                { source: "hf", repo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF", file: "qwen2.5-0.5b-instruct-q4_k_m.gguf", revision: "v1.0" },
                { source: "synthetic", preset: "tiny", quants: ["Q8_0"], seed: 1 },
                { source: "synthetic", preset: "small", quants: ["F16", "Q4_0"], seed: 7 }
            ],
            matrix: { mode: ["stream", "batch"], context: [8192, 16384], gpuLayers: ["max", 0] },
            prompts: [
                { id: "explain", text: "Explain quantum computing in two paragraphs.", kind: "chat" },
                { id: "long-doc", text: "Once upon a time, there was a tiny model.\n", kind: "completion" }
            ],
            tests: [
                { id: "pp512", pp: 512, tg: 0, depth: 0 },
                { id: "tg128", pp: 0, tg: 128, depth: 0 },
                { id: "pp512+tg128@d4096", pp: 512, tg: 128, depth: 4096 },
                { id: "tg16@d1", pp: 0, tg: 16, depth: 1 }
            ]
        };
        expect({ ...suite, sha256: "" }).toEqual(expected);
        expect(Object.keys(suite.matrix)).toEqual(["mode", "context", "gpuLayers"]);
        expect(suite.sha256).toMatch(/^[0-9a-f]{64}$/);
        // sha256 is of the bytes: a comment changes it, the parsed suite stays equal
        const commented = parseSuite(write(text + "# trailing comment\n"));
        expect(commented.sha256).not.toBe(suite.sha256);
        expect({ ...commented, path: "", sha256: "" }).toEqual({ ...suite, path: "", sha256: "" });
    });

    it("fills every missing setting from defaultSettings and resolves a relative suite path", () => {
        const file = write(`name: minimal\n${tail}`);
        const relative = path.relative(process.cwd(), file);
        const suite = parseSuite(relative);
        expect(suite.path).toBe(file);
        expect(suite.defaults).toEqual(defaultSettings);
        expect(suite.matrix).toEqual({});
        expect(suite.prompts).toEqual([]);
    });

    it.skipIf(!haveStories)("accepts a real GGUF by a path relative to the suite's folder, made absolute", () => {
        fs.mkdirSync(path.join(dir, "models"), { recursive: true });
        fs.copyFileSync(stories, path.join(dir, "models", "stories260K.gguf"));
        const suite = parseSuite(write("name: p\nmodels:\n  - path: ./models/stories260K.gguf\nprompts:\n  - { id: a, text: hi }\n"));
        expect(suite.models).toEqual([{ source: "path", path: path.join(dir, "models", "stories260K.gguf") }]);
    });
});

describe("parseSuite: errors name file:line:col, the key, what was expected and what was found", () => {
    const cases: [string, string, string][] = [
        ["context not a number", "name: x\ndefaults:\n  context: abc\n" + tail, "3:12 defaults.context: expected an integer from 16 to 16777216, got `abc` (string)"],
        ["context too small", "name: x\ndefaults:\n  context: 8\n" + tail, "3:12 defaults.context: expected an integer from 16 to 16777216, got `8` (number)"],
        ["repetitions 0", "name: x\ndefaults:\n  repetitions: 0\n" + tail, "3:16 defaults.repetitions: expected an integer from 1 to 10000, got `0` (number)"],
        ["warmup negative", "name: x\ndefaults:\n  warmup: -1\n" + tail, "3:11 defaults.warmup: expected an integer from 0 to 1000, got `-1` (number)"],
        ["gpuLayers word", "name: x\ndefaults:\n  gpuLayers: lots\n" + tail, "3:14 defaults.gpuLayers: expected `max`, `auto` or an integer from 0 to 10000, got `lots` (string)"],
        ["threads 0", "name: x\ndefaults:\n  threads: 0\n" + tail, "3:12 defaults.threads: expected `auto` or an integer from 1 to 1024, got `0` (number)"],
        ["batch fraction", "name: x\ndefaults:\n  batch: 1.5\n" + tail, "3:10 defaults.batch: expected an integer from 1 to 16777216, got `1.5` (number)"],
        ["flashAttention string", "name: x\ndefaults:\n  flashAttention: 'yes'\n" + tail, "3:19 defaults.flashAttention: expected `true` or `false`, got `yes` (string)"],
        ["kvType", "name: x\ndefaults:\n  kvType: q9\n" + tail, "3:11 defaults.kvType: expected one of `f32`, `f16`, `bf16`, `q8_0`, `q4_0`, `q4_1`, `q5_0`, `q5_1`, `iq4_nl`, got `q9` (string)"],
        ["mode", "name: x\ndefaults:\n  mode: fast\n" + tail, "3:9 defaults.mode: expected one of `stream`, `batch`, got `fast` (string)"],
        ["maxTokens 0", "name: x\ndefaults:\n  maxTokens: 0\n" + tail, "3:14 defaults.maxTokens: expected an integer from 1 to 16777216, got `0` (number)"],
        ["temperature infinite", "name: x\ndefaults:\n  temperature: .inf\n" + tail, "3:16 defaults.temperature: expected a number from 0 to 100, got `Infinity` (number)"],
        ["seed negative", "name: x\ndefaults:\n  seed: -3\n" + tail, "3:9 defaults.seed: expected an integer from 0 to 4294967295, got `-3` (number)"],
        ["gpu", "name: x\ndefaults:\n  gpu: rocm\n" + tail, "3:8 defaults.gpu: expected one of `auto`, `metal`, `cuda`, `vulkan`, `false`, got `rocm` (string)"],
        ["timeout 0", "name: x\ndefaults:\n  timeout: 0\n" + tail, "3:12 defaults.timeout: expected a number > 0 and <= 604800, got `0` (number)"],
        ["unknown top-level key", "name: x\nmodles: []\n" + tail, "2:1 modles: expected one of the keys `name`, `description`, `defaults`, `models`, `matrix`, `prompts`, `tests`, `quality`, `recommend`, got `modles` (unknown key)"],
        ["unknown setting", "name: x\ndefaults:\n  contxt: 5\n" + tail, "3:3 defaults.contxt: expected one of the keys `repetitions`, `warmup`, `context`, `gpuLayers`, `threads`, `threadsBatch`, `batch`, `flashAttention`, `kvType`, `mode`, `maxTokens`, `temperature`, `seed`, `gpu`, `engine`, `timeout`, got `contxt` (unknown key)"],
        ["matrix key not sweepable", "name: x\nmatrix:\n  repetitions: [1, 2]\n" + tail, "3:3 matrix.repetitions: expected one of the keys `context`, `gpuLayers`, `threads`, `threadsBatch`, `batch`, `flashAttention`, `kvType`, `mode`, `maxTokens`, `temperature`, `seed`, `gpu`, `engine`, got `repetitions` (unknown key)"],
        ["matrix duplicate", "name: x\nmatrix:\n  context: [2048, 4096, 2048]\n" + tail, "3:25 matrix.context[2]: expected no duplicates in the list, got `2048` (number)"],
        ["matrix empty list", "name: x\nmatrix:\n  mode: []\n" + tail, "3:9 matrix.mode: expected a non-empty list of unique values, got `[]` (array)"],
        ["matrix scalar", "name: x\nmatrix:\n  mode: stream\n" + tail, "3:9 matrix.mode: expected a non-empty list of unique values, got `stream` (string)"],
        ["matrix bad value", "name: x\nmatrix:\n  mode: [stream, fast]\n" + tail, "3:18 matrix.mode[1]: expected one of `stream`, `batch`, got `fast` (string)"],
        ["name missing", tail, "1:1 name: expected a non-empty string, got nothing (key missing)"],
        ["name not a string", "name: [a]\n" + tail, "1:7 name: expected a non-empty string, got `[\"a\"]` (array)"],
        ["models missing", "name: x\ntests:\n  - pp: 8\n", "1:1 models: expected a non-empty list, got nothing (key missing)"],
        ["models empty", "name: x\nmodels: []\ntests:\n  - pp: 8\n", "2:9 models: expected a non-empty list, got `[]` (array)"],
        ["no prompts nor tests", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\nprompts: []\n", "1:1 suite: expected a non-empty `prompts` or `tests` list, or a `quality` block"],
        ["model of no known form", "name: x\nmodels:\n  - foo: bar\ntests: [{ pp: 8 }]\n", "3:5 models[0]: expected a model with one of `path`, `hf` or `synthetic`, got `{\"foo\":\"bar\"}` (object)"],
        ["model with two forms", "name: x\nmodels:\n  - path: a.gguf\n    hf: a/b\ntests: [{ pp: 8 }]\n", "4:5 models[0].hf: expected one of the keys `path`, got `hf` (unknown key)"],
        ["hf without file or quants", "name: x\nmodels:\n  - hf: a/b\ntests: [{ pp: 8 }]\n", "3:5 models[0]: expected `hf` with exactly one of `file` or `quants`, got `{\"hf\":\"a/b\"}` (object)"],
        ["hf with file and quants", "name: x\nmodels:\n  - { hf: a/b, file: x.gguf, quants: [Q4_0] }\ntests: [{ pp: 8 }]\n", "3:5 models[0]: expected `hf` with exactly one of `file` or `quants`, got `{\"hf\":\"a/b\",\"file\":\"x.gguf\",\"quants\":[\"Q4_0\"]}` (object)"],
        ["hf repo without owner", "name: x\nmodels:\n  - hf: justname\n    file: x.gguf\ntests: [{ pp: 8 }]\n", "3:9 models[0].hf: expected a Hugging Face repo id `owner/name` (letters, digits, `_`, `.`, `-`; no `--` or `..`), got `justname` (string)"],
        ["hf file not .gguf", "name: x\nmodels:\n  - hf: a/b\n    file: x.bin\ntests: [{ pp: 8 }]\n", "4:11 models[0].file: expected a path inside the repo ending in `.gguf` (`/` between folders; no `.` or `..` part, no leading `/`, no `\\`), got `x.bin` (string)"],
        ["hf quants empty", "name: x\nmodels:\n  - hf: a/b\n    quants: []\ntests: [{ pp: 8 }]\n", "4:13 models[0].quants: expected a non-empty list of unique values, got `[]` (array)"],
        ["hf quants duplicate", "name: x\nmodels:\n  - hf: a/b\n    quants: [Q4_0, Q4_0]\ntests: [{ pp: 8 }]\n", "4:20 models[0].quants[1]: expected no duplicates in the list, got `Q4_0` (string)"],
        ["synthetic preset", "name: x\nmodels:\n  - synthetic: { preset: huge, quant: Q8_0 }\ntests: [{ pp: 8 }]\n", "3:26 models[0].synthetic.preset: expected one of `tiny`, `small`, `medium`, got `huge` (string)"],
        ["synthetic quant", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q5_K }\ntests: [{ pp: 8 }]\n", "3:39 models[0].synthetic.quant: expected one of `F32`, `F16`, `Q8_0`, `Q4_0` or a non-empty list of them, got `Q5_K` (string)"],
        ["synthetic quant in a list", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: [Q8_0, Q5_K] }\ntests: [{ pp: 8 }]\n", "3:46 models[0].synthetic.quant[1]: expected one of `F32`, `F16`, `Q8_0`, `Q4_0`, got `Q5_K` (string)"],
        ["synthetic quants equal but for case", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: [Q8_0, q8_0] }\ntests: [{ pp: 8 }]\n", "3:46 models[0].synthetic.quant[1]: expected no duplicates in the list (quants are case-insensitive), got `q8_0` (string)"],
        ["synthetic preset missing", "name: x\nmodels:\n  - synthetic: { quant: Q8_0 }\ntests: [{ pp: 8 }]\n", "3:16 models[0].synthetic.preset: expected one of `tiny`, `small`, `medium`, got nothing (key missing)"],
        ["prompt id", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: has space\n    text: hi\n", "4:9 prompts[0].id: expected an id of letters, digits, `.`, `_` or `-`, got `has space` (string)"],
        ["prompt id repeated", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n    text: hi\n  - id: a\n    text: ho\n", "6:9 prompts[1].id: expected a unique prompt id, got `a` (string)"],
        ["prompt text blank", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n    text: '  '\n", "5:11 prompts[0].text: expected non-empty text, got `  ` (string)"],
        ["prompt without text or file", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n", "4:5 prompts[0]: expected a prompt with `id` and exactly one of `text` or `file`, got `{\"id\":\"a\"}` (object)"],
        ["prompt kind", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n    text: hi\n    kind: instruct\n", "6:11 prompts[0].kind: expected one of `chat`, `completion`, got `instruct` (string)"],
        ["test with no work", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\ntests:\n  - { depth: 5 }\n", "4:5 tests[0]: expected a test with `pp` or `tg` > 0, or a `parallel` block, got `{\"depth\":5}` (object)"],
        ["test negative", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\ntests:\n  - { pp: -1 }\n", "4:11 tests[0].pp: expected an integer from 0 to 16777216, got `-1` (number)"],
        ["test unknown key", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\ntests:\n  - { pp: 8, n: 3 }\n", "4:14 tests[0].n: expected one of the keys `pp`, `tg`, `depth`, `parallel`, got `n` (unknown key)"],
        ["test repeated", "name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\ntests:\n  - pp: 512\n  - { pp: 512, tg: 0 }\n", "5:5 tests[1]: expected a test not already listed (same as tests[0], `pp512`), got `{\"pp\":512,\"tg\":0}` (object)"]
    ];
    it.each(cases)("%s", (_name, text, expected) => {
        const { file, message } = errorOf(text);
        expect(message).toBe(`${file}:${expected}`);
    });

    it("rejects a path that does not exist, relative to the suite's folder", () => {
        const { file, message } = errorOf("name: x\nmodels:\n  - path: ./nope.gguf\ntests: [{ pp: 8 }]\n");
        expect(message).toBe(`${file}:3:11 models[0].path: expected an existing file (looked for ${path.join(dir, "nope.gguf")}), got \`./nope.gguf\` (string)`);
    });

    it("rejects a file that is not GGUF, naming it", () => {
        const { file, message } = errorOf("name: x\nmodels:\n  - path: fake.gguf\ntests: [{ pp: 8 }]\n");
        expect(message).toBe(`${file}:3:11 models[0].path: expected a GGUF model file, got \`fake.gguf\` (string): fake.gguf is not a GGUF file (bad magic)`);
    });

    it.skipIf(!haveStories)("rejects a GGUF cut short inside its header or its tensor data", () => {
        const bytes = fs.readFileSync(stories);
        fs.writeFileSync(path.join(dir, "cut-header.gguf"), bytes.subarray(0, 5000));
        fs.writeFileSync(path.join(dir, "cut-data.gguf"), bytes.subarray(0, 100_000));
        const header = errorOf("name: x\nmodels:\n  - path: cut-header.gguf\ntests: [{ pp: 8 }]\n");
        expect(header.message).toMatch(/:3:11 models\[0\]\.path: expected a GGUF model file, got `cut-header\.gguf` \(string\): cut-header\.gguf is truncated header/);
        const data = errorOf("name: x\nmodels:\n  - path: cut-data.gguf\ntests: [{ pp: 8 }]\n");
        expect(data.message).toContain("cut-data.gguf is truncated (tensor data ends past the end of the file)");
    });

    it("rejects a prompt file that does not exist or is binary", () => {
        const missing = errorOf("name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n    file: nope.txt\n");
        expect(missing.message).toBe(`${missing.file}:5:11 prompts[0].file: expected an existing file (looked for ${path.join(dir, "nope.txt")}), got \`nope.txt\` (string)`);
        fs.writeFileSync(path.join(dir, "binary.txt"), Buffer.from([0x68, 0x00, 0x69]));
        const binary = errorOf("name: x\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - id: a\n    file: binary.txt\n");
        expect(binary.message).toBe(`${binary.file}:5:11 prompts[0].file: expected a UTF-8 text file (it looks binary), got \`binary.txt\` (string)`);
    });
});

describe("parseSuite: refuses, naming the bound, what cannot run", () => {
    const ptail = "models:\n  - synthetic: { preset: tiny, quant: Q8_0 }\nprompts:\n  - { id: a, text: hi }\n";
    const cases: [string, string, string][] = [
        ["repetitions in the billions", "name: x\ndefaults:\n  repetitions: 5000000000\n" + tail, "3:16 defaults.repetitions: expected an integer from 1 to 10000, got `5000000000` (number)"],
        ["warmup in the billions", "name: x\ndefaults:\n  warmup: 1000000000\n" + tail, "3:11 defaults.warmup: expected an integer from 0 to 1000, got `1000000000` (number)"],
        ["context of 100 000 000", "name: x\ndefaults:\n  context: 100000000\n" + tail, "3:12 defaults.context: expected an integer from 16 to 16777216, got `100000000` (number)"],
        ["context of 100 000 000 in the matrix", "name: x\nmatrix:\n  context: [512, 100000000]\n" + tail, "3:18 matrix.context[1]: expected an integer from 16 to 16777216, got `100000000` (number)"],
        ["timeout of ten years", "name: x\ndefaults:\n  timeout: 315360000\n" + tail, "3:12 defaults.timeout: expected a number > 0 and <= 604800, got `315360000` (number)"],
        ["maxTokens beyond any context", "name: x\ndefaults:\n  maxTokens: 1000000000000\n" + ptail, "3:14 defaults.maxTokens: expected an integer from 1 to 16777216, got `1000000000000` (number)"],
        ["seed beyond 32 bits", "name: x\ndefaults:\n  seed: 1099511627776\n" + tail, "3:9 defaults.seed: expected an integer from 0 to 4294967295, got `1099511627776` (number)"],
        ["threads in the thousands", "name: x\ndefaults:\n  threads: 100000\n" + tail, "3:12 defaults.threads: expected `auto` or an integer from 1 to 1024, got `100000` (number)"],
        ["synthetic seed beyond 32 bits", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0, seed: 8589934592 }\ntests: [{ pp: 8 }]\n", "3:51 models[0].synthetic.seed: expected an integer from 0 to 4294967295, got `8589934592` (number)"],
        ["test depth beyond a context of 512", "name: x\ndefaults:\n  context: 512\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - pp: 8\n  - { tg: 128, depth: 512 }\n", "8:5 tests[1]: test tg128@d512 needs 641 tokens of context (depth + pp + tg + the cell node-llama-cpp keeps free), more than the context of 512 (defaults.context): raise context or shorten the test"],
        ["test beyond the smallest context of a sweep", "name: x\nmatrix:\n  context: [4096, 1024]\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - { pp: 1024 }\n", "7:5 tests[0]: test pp1024 needs 1025 tokens of context (depth + pp + tg + the cell node-llama-cpp keeps free), more than the context of 1024 (matrix.context): raise context or shorten the test"],
        ["test beyond the default context", "name: x\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - { pp: 2048 }\n", "5:5 tests[0]: test pp2048 needs 2049 tokens of context (depth + pp + tg + the cell node-llama-cpp keeps free), more than the context of 2048 (the default context): raise context or shorten the test"],
        ["maxTokens filling the context", "name: x\ndefaults:\n  context: 512\n  maxTokens: 511\n" + ptail, "4:14 defaults.maxTokens: maxTokens 511 leaves no room for a prompt in the context of 512 (defaults.context; one cell stays free): expected at most 510"],
        ["maxTokens swept beyond a swept context", "name: x\nmatrix:\n  context: [256, 2048]\n  maxTokens: [64, 300]\n" + ptail, "4:19 matrix.maxTokens[1]: maxTokens 300 leaves no room for a prompt in the context of 256 (matrix.context; one cell stays free): expected at most 254"],
        ["quantized KV without flash attention", "name: x\ndefaults:\n  kvType: q8_0\n" + tail, "3:11 defaults.kvType: kvType `q8_0` needs flashAttention: true (llama.cpp refuses a quantized V cache without it), but flashAttention is false by default: set flashAttention: true, or sweep quantized KV types in a suite of their own"],
        ["quantized KV swept, flash attention off by default", "name: x\nmatrix:\n  kvType: [f16, q4_0]\n" + tail, "3:17 matrix.kvType[1]: kvType `q4_0` needs flashAttention: true (llama.cpp refuses a quantized V cache without it), but flashAttention is false by default: set flashAttention: true, or sweep quantized KV types in a suite of their own"],
        ["quantized KV with flash attention swept on and off", "name: x\ndefaults:\n  kvType: q8_0\nmatrix:\n  flashAttention: [true, false]\n" + tail, "3:11 defaults.kvType: kvType `q8_0` needs flashAttention: true (llama.cpp refuses a quantized V cache without it), but matrix.flashAttention includes false: set flashAttention: true, or sweep quantized KV types in a suite of their own"]
    ];
    it.each(cases)("%s", (_name, text, expected) => {
        const { file, message } = errorOf(text);
        expect(message).toBe(`${file}:${expected}`);
    });

    it("accepts the same settings within their bounds (context, test, maxTokens and KV type together)", () => {
        const suite = parseSuite(write("name: x\ndefaults:\n  context: 642\n  maxTokens: 640\n  kvType: q8_0\n  flashAttention: true\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\nprompts:\n  - { id: a, text: hi }\ntests:\n  - { tg: 128, depth: 512 }\n"));
        expect(suite.defaults).toMatchObject({ context: 642, maxTokens: 640, kvType: "q8_0", flashAttention: true });
    });
});

describe("parseSuite: hostile input fails fast with one clean line", () => {
    const cases: [string, string | Buffer, RegExp][] = [
        ["empty file", "", /:1:1 suite: expected a mapping with `name`, `models` and `prompts` or `tests`, got an empty file$/],
        ["only a comment", "# nothing here\n", /:1:1 suite: expected a mapping .* got an empty file$/],
        ["a list at the top", "- 1\n- 2\n", /:1:1 suite: expected a mapping with `name`, `models` and `prompts` or `tests`, got `\[1,2\]` \(array\)$/],
        ["a scalar at the top", "hello\n", /:1:1 suite: expected a mapping .*, got `hello` \(string\)$/],
        ["syntax error", "name: x\nmodels: [1, 2\n", /:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
        ["tab indentation", "name: x\nmodels:\n\t- path: x\n", /:3:1 YAML syntax error: Tabs are not allowed as indentation$/],
        ["duplicate key", "name: x\nmodels: []\nname: y\n", /:3:1 duplicate key `name`: each key may appear once per mapping$/],
        ["nested duplicate key", "name: x\ndefaults:\n  context: 1\n  context: 2\n", /:4:3 duplicate key `context`/],
        ["several documents", "name: x\n---\nname: y\n", /:2:1 several YAML documents: expected one suite per file$/],
        ["alias bomb", Array.from({ length: 6 }, (_, i) => i === 0 ? "a0: &a0 [x, x, x, x, x, x, x, x, x]" : `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`).join("\n") + "\n", /\.yaml expands aliases too often \(more than 50\): refusing a possible alias bomb$/],
        ["deep flow nesting (1 MiB)", "name: " + "[".repeat(500_000) + "]".repeat(500_000 - 10), /:1:39 nesting deeper than 32 levels/],
        ["deep compact sequences", "name:\n  " + "- ".repeat(200_000) + "x\n", /:2:\d+ nesting deeper than 32 levels/],
        ["deep block mappings", Array.from({ length: 40 }, (_, i) => " ".repeat(i) + `k${i}:`).join("\n") + " 1\n", /:\d+:\d+ nesting deeper than 32 levels/],
        ["NUL byte", "name: x\0\n", /\.yaml looks binary \(NUL byte at offset 7\): expected a YAML text file$/],
        ["not UTF-8", Buffer.from("name: caf\xe9\n", "latin1"), /\.yaml looks binary \(not valid UTF-8\): expected a YAML text file$/],
        ["over 1 MiB", "name: " + "x".repeat(1 << 20) + "\n", /\.yaml is 1048583 bytes: a suite file may be at most 1048576 bytes \(1 MiB\)$/]
    ];
    it.each(cases)("%s", (_name, text, pattern) => {
        const started = performance.now();
        const { file, message } = errorOf(text);
        expect(message.startsWith(file)).toBe(true);
        expect(message).toMatch(pattern);
        expect(performance.now() - started).toBeLessThan(5000);
    });

    it("keeps aliases that expand a little", () => {
        const suite = parseSuite(write("name: x\nmodels:\n  - synthetic: &m { preset: tiny, quant: Q8_0 }\n  - synthetic: *m\ntests: [{ pp: 8 }]\n"));
        expect(suite.models).toHaveLength(2);
    });

    it("says so when the suite file does not exist", () => {
        const missing = path.join(dir, "missing.yaml");
        expect(() => parseSuite(missing)).toThrow(new InputError(`${missing} cannot be read: ENOENT`));
    });
});

describe("suite.schema.json", () => {
    type Node = { properties: Record<string, { $ref?: string; enum?: unknown[]; default?: unknown; items?: { $ref: string } }> };
    const schema = suiteSchema as unknown as { definitions: Record<string, Node & Record<string, unknown>> };

    it("describes exactly the Settings keys, with defaultSettings as defaults", () => {
        expect(Object.keys(schema.definitions.settings!.properties)).toEqual(Object.keys(defaultSettings));
        for (const [key, value] of Object.entries(defaultSettings)) expect(schema.definitions[key]!.default, key).toEqual(value);
    });

    it("lets the matrix sweep exactly sweepableKeys, kvType take kvTypes, presets and quants match the writer", () => {
        expect(Object.keys(schema.definitions.matrix!.properties)).toEqual([...sweepableKeys]);
        expect(schema.definitions.kvType!.enum).toEqual([...kvTypes]);
        expect(schema.definitions.gpu!.enum).toEqual([...gpuBackends]);
        const synthetic = schema.definitions.syntheticPreset as unknown as Node;
        expect(synthetic.properties.preset!.enum).toEqual(Object.keys(syntheticPresets));
        expect(schema.definitions.cloneFileType!.enum).toEqual(fileTypeNames);
        const quant = new RegExp(schema.definitions.syntheticQuant!.pattern as string, "u");
        for (const q of syntheticQuants) expect(quant.test(q) && quant.test(q.toLowerCase()), q).toBe(true);
        expect(quant.test("Q5_K")).toBe(false);
    });

    it("docs/suites.md marks exactly the sweepable settings, and says what `path:` is relative to", () => {
        // the README's Suites section moved to docs/suites.md (#18)
        const readme = fs.readFileSync(new URL("../../docs/suites.md", import.meta.url), "utf8");
        const marked = [...readme.matchAll(/⇄ `(\w+)`/g)].map((match) => match[1]);
        expect(new Set(marked)).toEqual(new Set(sweepableKeys));
        expect(readme).toMatch(/`path:` \(a model\) and `file:` \(a prompt\) are relative to the folder of the suite file/);
    });

    it("cannot say more than the checker enforces: an unchecked keyword is refused", () => {
        expect(() => new SchemaChecker({ type: "object", maxProperties: 3 })).toThrow(/keyword `maxProperties`/);
    });
});

describe("parseSuite: synthetic clones (`synthetic: { like }`)", () => {
    it("a local file (relative to the suite) or a Hub file, with file types to re-type to and a seed", () => {
        const file = write(`name: clones
models:
  - synthetic: { like: fake.gguf }
  - synthetic: { like: Qwen/Qwen2.5-7B-Instruct-GGUF/qwen2.5-7b-instruct-q4_k_m.gguf, quants: [Q4_K_M, Q8_0], seed: 3 }
  - synthetic: { like: acme/M-GGUF/F16/m-00001-of-00002.gguf, revision: v2 }
tests: [{ pp: 8 }]
`);
        expect(parseSuite(file).models).toEqual([
            { source: "synthetic", like: { path: path.join(dir, "fake.gguf") }, quants: null, seed: 1 },
            { source: "synthetic", like: { repo: "Qwen/Qwen2.5-7B-Instruct-GGUF", revision: "main", file: "qwen2.5-7b-instruct-q4_k_m.gguf" }, quants: ["Q4_K_M", "Q8_0"], seed: 3 },
            { source: "synthetic", like: { repo: "acme/M-GGUF", revision: "v2", file: "F16/m-00001-of-00002.gguf" }, quants: null, seed: 1 }
        ]);
    });

    it.each([
        ["a file type llama-quantize does not make", "{ like: a/b/c.gguf, quants: [Q4_K_M, Q4_K_X] }", /^3:53 models\[0\]\.synthetic\.quants\[1\]: expected a file type llama-quantize makes, e\.g\. `Q4_K_M`, `Q8_0`, `F16` \(suite\.schema\.json lists them\), got `Q4_K_X` \(string\)$/],
        ["a local file that is not there", "{ like: ./missing.gguf }", /^3:24 models\[0\]\.synthetic\.like: expected an existing GGUF file \(looked for .*missing\.gguf\), got `\.\/missing\.gguf` \(string\)$/],
        ["a Hub path that climbs out", "{ like: acme/m/../../../etc/x.gguf }", /^3:24 models\[0\]\.synthetic\.like: expected a path inside the repo ending in `\.gguf`/],
        ["a repo id the Hub refuses", "{ like: ac--me/m/x.gguf }", /^3:24 models\[0\]\.synthetic\.like: expected a Hugging Face repo id `owner\/name`/],
        ["a bad revision", "{ like: acme/m/x.gguf, revision: 'a..b' }", /^3:49 models\[0\]\.synthetic\.revision: expected a branch, tag or commit/],
        ["a revision for a local file", "{ like: fake.gguf, revision: v1 }", /^3:35 models\[0\]\.synthetic\.revision: expected no `revision` for a local file$/],
        ["a preset key beside like", "{ like: fake.gguf, preset: tiny }", /^3:35 models\[0\]\.synthetic\.preset: expected one of the keys `like`, `quants`, `revision`, `seed`, got `preset` \(unknown key\)$/],
        ["a seed past 32 bits", "{ like: fake.gguf, seed: 4294967296 }", /^3:41 models\[0\]\.synthetic\.seed: expected an integer from 0 to 4294967295, got `4294967296` \(number\)$/]
    ])("%s: one line naming where, what was expected and what was found", (_, model, message) => {
        expect(errorOf(`name: x\nmodels:\n  - synthetic: ${model}\ntests: [{ pp: 8 }]\n`).message.replace(/^.*?\.yaml:/, "")).toMatch(message);
    });
});

// parallel (serving-load) tests: docs/serving.md
const models = "models:\n  - synthetic: { preset: tiny, quant: Q8_0 }\n";

/** The refusal without the file name in front. */
function refusal(text: string): string {
    const { file, message } = errorOf(text);
    return message.slice(file.length + 1);
}

describe("parallel tests: parsing", () => {
    it("reads a parallel block beside pp/tg tests, sorts its levels and fills the defaults", () => {
        const suite = parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n  - parallel: { sequences: [4, 1, 2], prompt: 16, gen: 8 }\n  - tg: 4\n  - parallel: { sequences: [1, 8], prompt: 16, gen: 8, shared: true, rise: 0.2, itlP90Ms: 100 }\n`));
        expect(suite.tests.map((t) => t.id)).toEqual(["pp8", "tg4"]);
        expect(suite.parallel).toEqual([
            { id: "par:pp16+tg8", sequences: [1, 2, 4], prompt: 16, gen: 8, shared: false, rise: 0.1, itlP90Ms: null },
            { id: "par:pp16+tg8:pps", sequences: [1, 8], prompt: 16, gen: 8, shared: true, rise: 0.2, itlP90Ms: 100 }
        ]);
    });

    it("is enough on its own, and a suite without one has no `parallel` key", () => {
        expect(parseSuite(write(`name: p\n${models}tests:\n  - parallel: { sequences: [1], prompt: 4, gen: 4 }\n`)).parallel).toHaveLength(1);
        expect(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n`))).not.toHaveProperty("parallel");
    });

    it.each([
        ["no levels", "parallel: { sequences: [], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences: expected a non-empty list of unique values, got `\[\]` \(array\)/],
        ["a level of 0", "parallel: { sequences: [0, 2], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences\[0\]: expected an integer from 1 to 256, got `0`/],
        ["a level over llama.cpp's 256 sequences", "parallel: { sequences: [1, 257], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences\[1\]: expected an integer from 1 to 256, got `257`/],
        ["a level twice", "parallel: { sequences: [2, 2], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences\[1\]: expected no duplicates in the list, got `2`/],
        ["no gen", "parallel: { sequences: [1], prompt: 4 }", /tests\[0\]\.parallel\.gen: expected an integer from 1 to 16777216, got nothing \(key missing\)/],
        ["a rise of 0", "parallel: { sequences: [1], prompt: 4, gen: 4, rise: 0 }", /tests\[0\]\.parallel\.rise: expected a number > 0 and <= 10, got `0`/],
        ["a negative budget", "parallel: { sequences: [1], prompt: 4, gen: 4, itlP90Ms: -1 }", /tests\[0\]\.parallel\.itlP90Ms: expected a number > 0, got `-1`/],
        ["an unknown key", "parallel: { sequences: [1], prompt: 4, gen: 4, users: 3 }", /tests\[0\]\.parallel\.users: expected one of the keys/],
        ["pp beside parallel", "{ pp: 8, parallel: { sequences: [1], prompt: 4, gen: 4 } }", /tests\[0\]\.pp: expected no `pp` beside a `parallel` block \(its sizes are `prompt` and `gen` inside it\), got `8`/]
    ])("refuses %s, naming the key", (_, entry, says) => {
        expect(refusal(`name: p\n${models}tests:\n  - ${entry}\n`)).toMatch(says);
    });

    it("refuses the same parallel test twice", () => {
        expect(refusal(`name: p\n${models}tests:\n  - parallel: { sequences: [1], prompt: 4, gen: 4 }\n  - parallel: { sequences: [2], prompt: 4, gen: 4 }\n`))
            .toMatch(/tests\[1\]: expected a test not already listed \(same as tests\[0\], `par:pp4\+tg4`\)/);
    });

    it("refuses, with the numbers, sequences that do not each fit their context (the smallest of a sweep)", () => {
        expect(refusal(`name: p\nmatrix: { context: [1024, 256] }\n${models}tests:\n  - pp: 8\n  - parallel: { sequences: [1, 4], prompt: 200, gen: 56 }\n`))
            .toBe("7:15 tests[1].parallel: test par:pp200+tg56 needs 257 tokens of context in each sequence (prompt 200 + gen 56 + the cell node-llama-cpp keeps free), more than the context of 256 (matrix.context), which each of its up to 4 sequences gets: raise context or shorten the test");
        // one cell less fits
        expect(parseSuite(write(`name: p\ndefaults: { context: 256 }\n${models}tests:\n  - parallel: { sequences: [1, 4], prompt: 200, gen: 55 }\n`)).parallel).toHaveLength(1);
    });
});

describe("parallel tests: planning", () => {
    it("gives every config the parallel tests; the workload is in the config id, the knee settings are not", () => {
        const id = (block: string) => {
            const configs = planConfigs(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n  - parallel: ${block}\n`)));
            expect(configs[0]!.parallel).toHaveLength(1);
            return configs[0]!.id;
        };
        const base = id("{ sequences: [1, 2], prompt: 16, gen: 8 }");
        expect(id("{ sequences: [1, 2], prompt: 16, gen: 8, rise: 0.3, itlP90Ms: 50 }")).toBe(base);
        expect(id("{ sequences: [2, 1], prompt: 16, gen: 8 }")).toBe(base);
        expect(id("{ sequences: [1, 2, 4], prompt: 16, gen: 8 }")).not.toBe(base);
        expect(id("{ sequences: [1, 2], prompt: 16, gen: 8, shared: true }")).not.toBe(base);
        const plain = planConfigs(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n`)))[0]!;
        expect(plain).not.toHaveProperty("parallel");
        expect(plain.id).not.toBe(base);
    });
});
