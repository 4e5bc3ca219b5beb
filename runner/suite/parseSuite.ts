/**
 * Parses and validates a suite file into a `Suite`: the edge where all user input is checked, once.
 *
 * Shape and value ranges come from suite.schema.json (the schema editors use); what a schema cannot know is checked
 * here: files exist, GGUF headers read, ids are unique, the quality block fits the models (parseQuality.ts). Every problem is one InputError line:
 * `<file>:<line>:<col> <key path>: expected <what>, got <value> (<type>)`.
 */
import path from "node:path";
import suiteSchema from "../../suite.schema.json" with { type: "json" };
import { InputError, describeValue } from "../errors.ts";
import { syntheticQuants } from "./syntheticPresets.ts";
import { checkGgufHeader } from "./checkGgufHeader.ts";
import { parseLike } from "./parseLike.ts";
import { checkRunnable } from "./checkRunnable.ts";
import { SchemaChecker, type SchemaPath } from "./checkSchema.ts";
import { loadYamlFile } from "./loadYamlFile.ts";
import { toQuality, type RawQuality } from "./parseQuality.ts";
import { isFile, readTextFile, type Expected } from "./readTextFile.ts";
import { parallelTestId } from "./parallelIds.ts";
import { suitePath } from "./suitePath.ts";
import { parseBytes } from "../format/parseBytes.ts";
import { defaultParallelRise, defaultSettings, reservedPromptId, type BenchTest, type RecommendSpec, type ModelSpec, type Indexed, type ParallelTest, type Prompt, type Settings, type Suite } from "./types.ts";

/** The checker of suite.schema.json, also used for command-line flags that set a suite setting. */
export const suiteSchemaChecker = new SchemaChecker(suiteSchema);
const checker = suiteSchemaChecker;

/** Synchronous: reads the suite, prompt files and GGUF headers from disk. Throws `InputError` on any bad input. */
export function parseSuite(file: string): Suite {
    const absolute = path.resolve(file);
    const yaml = loadYamlFile(absolute, file);
    const dir = path.dirname(absolute);
    const fail = (at: SchemaPath, message: string, where: "key" | "value" = "value"): never => {
        const { line, col } = yaml.locate(at, where);
        throw new InputError(`${file}:${line}:${col} ${formatPath(at)}: ${message}`);
    };
    const expected = (at: SchemaPath, what: string, value: unknown): never => fail(at, `expected ${what}, got ${shown(value)}`);

    const raw = yaml.value;
    if (raw === null) throw new InputError(`${file}:1:1 suite: expected a mapping with \`name\`, \`models\` and \`prompts\` or \`tests\`, got an empty file`);
    if (typeof raw !== "object" || Array.isArray(raw)) expected([], "a mapping with `name`, `models` and `prompts` or `tests`", raw);

    const issue = checker.check(raw);
    if (issue) {
        if (issue.kind === "unknown") {
            fail(issue.path, `expected one of the keys ${issue.expected.replace(/^one of /, "")}, got \`${String(issue.path.at(-1))}\` (unknown key)`, "key");
        }
        if (issue.kind === "missing") fail(issue.path, `expected ${issue.expected}, got nothing (key missing)`);
        if (issue.path.length === 0) fail(issue.path, `expected ${issue.expected}`);
        expected(issue.path, issue.expected, issue.value);
    }
    // From here on the shape is the schema's; the casts below only name it.
    const doc = raw as RawSuite;
    const models = doc.models.map((model, i) => toModelSpec(model, ["models", i], dir, fail, expected));
    const { tests, parallel } = toTests(doc.tests ?? [], expected);

    const suite: Suite = {
        name: doc.name,
        ...(doc.description !== undefined ? { description: doc.description } : {}),
        path: absolute,
        sha256: yaml.sha256,
        defaults: { ...defaultSettings, ...doc.defaults },
        models,
        matrix: doc.matrix ?? {},
        prompts: toPrompts(doc.prompts ?? [], dir, expected),
        tests: tests.map(({ test }) => test),
        ...(parallel.length > 0 ? { parallel: parallel.map(({ test }) => test) } : {}),
        ...(doc.quality !== undefined ? { quality: toQuality(doc.quality, models, dir, expected) } : {}),
        ...(doc.recommend !== undefined ? { recommend: doc.recommend } : {})
    };
    if (doc.recommend?.memory !== undefined && parseBytes(doc.recommend.memory) == null)
        expected(["recommend", "memory"], "a size such as `8GiB`, `512MiB` or a number of bytes", doc.recommend.memory);
    checkRunnable({
        defaults: doc.defaults ?? {}, matrix: suite.matrix, effective: suite.defaults, hasPrompts: suite.prompts.length > 0, tests, parallel
    }, fail);
    return suite;
}

type Fail = (at: SchemaPath, message: string, where?: "key" | "value") => never;

interface RawSuite {
    name: string;
    description?: string;
    defaults?: Partial<Settings>;
    models: RawModel[];
    matrix?: Suite["matrix"];
    prompts?: { id: string; text?: string; file?: string; kind?: Prompt["kind"] }[];
    tests?: RawTest[];
    quality?: RawQuality;
    recommend?: RecommendSpec;
}

type RawTest =
    | { pp?: number; tg?: number; depth?: number }
    | { parallel: { sequences: number[]; prompt: number; gen: number; shared?: boolean; rise?: number; itlP90Ms?: number } };

type RawModel =
    | { path: string }
    | { hf: string; file?: string; quants?: string[]; revision?: string }
    | { synthetic: { preset: string; quant: string | string[]; seed?: number } }
    | { synthetic: { like: string; quants?: string[]; revision?: string; seed?: number } };

function toModelSpec(model: RawModel, at: SchemaPath, dir: string, fail: Fail, expected: Expected): ModelSpec {
    if ("path" in model) {
        const resolved = suitePath(model.path, dir);
        if ("expected" in resolved) return expected([...at, "path"], resolved.expected, model.path);
        const file = resolved.path;
        if (!isFile(file)) expected([...at, "path"], `an existing file (looked for ${file})`, model.path);
        const problem = checkGgufHeader(file);
        if (problem) fail([...at, "path"], `expected a GGUF model file, got ${describeValue(model.path)}: ${path.basename(file)} is ${problem}`);
        return { source: "path", path: file };
    }
    if ("hf" in model) {
        const revision = model.revision ?? "main";
        if (model.file !== undefined) return { source: "hf", repo: model.hf, file: model.file, revision };
        return { source: "hf", repo: model.hf, quants: model.quants!, revision };
    }
    if ("like" in model.synthetic) {
        const { like, quants, revision, seed } = model.synthetic;
        const at2 = [...at, "synthetic"];
        const parsed = parseLike(like, dir, revision);
        if ("expected" in parsed) return expected([...at2, "like"], parsed.expected, like);
        if (revision !== undefined && "path" in parsed) fail([...at2, "revision"], "expected no `revision` for a local file", "key");
        return { source: "synthetic", like: parsed, quants: quants ?? null, seed: seed ?? 1 };
    }
    const { preset, quant, seed } = model.synthetic;
    const written = Array.isArray(quant) ? quant : [quant];
    const quants = written.map((q) => syntheticQuants.find((known) => known === q.toUpperCase())!);
    quants.forEach((q, i) => {
        if (quants.indexOf(q) !== i) expected([...at, "synthetic", "quant", i], "no duplicates in the list (quants are case-insensitive)", written[i]);
    });
    return { source: "synthetic", preset, quants, seed: seed ?? 1 };
}

/** The largest prompt file read: a prompt is text for a context, not a corpus (and not /var/log read whole). */
export const maxPromptBytes = 1 << 20;

function toPrompts(prompts: NonNullable<RawSuite["prompts"]>, dir: string, expected: Expected): Prompt[] {
    const seen = new Set<string>();
    return prompts.map((prompt, i) => {
        if (seen.has(prompt.id)) expected(["prompts", i, "id"], "a unique prompt id", prompt.id);
        if (reservedPromptId.test(prompt.id))
            expected(["prompts", i, "id"], "a prompt id that is not `quality` (the quality pass) nor shaped like a test id (`pp512`, `tg128`, `pp512+tg128@d4096`, `np4:pp256+tg128`)", prompt.id);
        seen.add(prompt.id);
        const text = prompt.file !== undefined ? readTextFile(["prompts", i, "file"], prompt.file, dir, expected, maxPromptBytes).text : prompt.text!;
        return { id: prompt.id, text, kind: prompt.kind ?? "chat" };
    });
}

function toTests(written: NonNullable<RawSuite["tests"]>, expected: Expected): { tests: Indexed<BenchTest>[]; parallel: Indexed<ParallelTest>[] } {
    const seen = new Map<string, number>();
    const tests: Indexed<BenchTest>[] = [];
    const parallel: Indexed<ParallelTest>[] = [];
    const unique = (id: string, index: number, entry: RawTest) => {
        const first = seen.get(id);
        if (first !== undefined) expected(["tests", index], `a test not already listed (same as tests[${first}], \`${id}\`)`, entry);
        seen.set(id, index);
    };
    written.forEach((entry, index) => {
        if ("parallel" in entry) {
            const test = toParallel(entry.parallel);
            unique(test.id, index, entry);
            parallel.push({ test, index });
            return;
        }
        const sizes = { pp: entry.pp ?? 0, tg: entry.tg ?? 0, depth: entry.depth ?? 0 };
        const id = benchTestId(sizes);
        unique(id, index, entry);
        tests.push({ test: { id, ...sizes }, index });
    });
    return { tests, parallel };
}

function toParallel(block: Extract<RawTest, { parallel: unknown }>["parallel"]): ParallelTest {
    const shared = block.shared ?? false;
    return {
        id: parallelTestId({ prompt: block.prompt, gen: block.gen, shared }),
        sequences: [...block.sequences].sort((a, b) => a - b),
        prompt: block.prompt,
        gen: block.gen,
        shared,
        rise: block.rise ?? defaultParallelRise,
        itlP90Ms: block.itlP90Ms ?? null
    };
}

/** llama-bench style id: `pp512`, `tg128`, `pp512+tg128`, with `@d4096` when run at a depth. */
export function benchTestId(test: { pp: number; tg: number; depth: number }): string {
    const parts = [test.pp > 0 ? `pp${test.pp}` : "", test.tg > 0 ? `tg${test.tg}` : ""].filter(Boolean);
    return parts.join("+") + (test.depth > 0 ? `@d${test.depth}` : "");
}

/** `models[2].synthetic.quant`; the top level is `suite`. */
function formatPath(at: SchemaPath): string {
    if (at.length === 0) return "suite";
    return at.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/** describeValue, except that non-finite numbers (`.inf`, `.nan` in YAML) show as themselves, not `null`. */
function shown(value: unknown): string {
    return typeof value === "number" && !Number.isFinite(value) ? `\`${value}\` (number)` : describeValue(value);
}
