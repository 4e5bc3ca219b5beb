/**
 * Quality passes on real GGUF files: what perplexity and KL divergence must show whatever the machine (a real story
 * scores far better than its words shuffled; quantization noise grows down the quant ladder), and the refusals.
 * Agreement with llama.cpp's own llama-perplexity is measured, not tested here: see the README's "Quality".
 */
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { measureConfig } from "../../runner/measure/measureConfig.ts";
import type { Config } from "../../runner/plan/types.ts";
import { qualityFigures } from "../../runner/stats/qualityFigures.ts";
import { defaultSettings } from "../../runner/suite/types.ts";
import { killLeftovers, onlyRunFile, projectRoot, runBench, runCli, suiteYaml } from "./cliHarness.ts";
import { realModel, syntheticModel, testModels } from "./testModels.ts";

const models = await testModels();
const corpusPath = path.join(projectRoot, "corpora", "sample.txt");
const corpus = readFileSync(corpusPath, "utf8");

/** The 25M ladder against its F16 (../shared/models), else the synthetic small preset's Q8_0 and Q4_0 against its F16. */
const ladder = models.real
    ? { reference: realModel("synthetic-llama-25m-f16.gguf")!, quants: ["q8_0", "q4_k_m", "q2_k"].map((q) => realModel(`synthetic-llama-25m-${q}.gguf`)!) }
    : null;

let work: string;
beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "gguf-bench-quality-"));
});
afterAll(async () => {
    killLeftovers();
    if (work != null) await rm(work, { recursive: true, force: true });
});

/** The corpus's words in a fixed pseudo-random order: the same text, without its sense. */
function shuffledWords(text: string, seed = 7): string {
    const words = text.split(/\s+/).filter(Boolean);
    let state = seed;
    for (let i = words.length - 1; i > 0; i--) {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        const j = state % (i + 1);
        [words[i], words[j]] = [words[j]!, words[i]!];
    }
    return words.join(" ");
}

function qualityConfig(modelPath: string, text: string, context: number, chunks: number): Config {
    return {
        id: "quality", label: path.basename(modelPath), model: { source: "path", path: modelPath },
        params: { ...defaultSettings, threads: 1, threadsBatch: 1 }, prompts: [], tests: [],
        quality: { corpus: corpusPath, text, sha256: "00".repeat(32), context, chunks, topK: "auto", reference: null }
    };
}

describe("perplexity", () => {
    test.skipIf(!models.real)("stories260K finds an ordinary story far more likely than the same words shuffled", async () => {
        const story = await measureConfig(qualityConfig(models.tiny.path, corpus, 128, 8), models.tiny.path);
        const shuffled = await measureConfig(qualityConfig(models.tiny.path, shuffledWords(corpus), 128, 8), models.tiny.path);
        const ppl = (result: typeof story) => qualityFigures(result.quality!.positions).perplexity!.value;
        // the same 8 chunks × 63 positions either way
        expect(story.quality!.positions.nll).toHaveLength(8 * 63);
        expect(shuffled.quality!.positions.nll).toHaveLength(8 * 63);
        expect(ppl(story)).toBeGreaterThan(1);
        expect(ppl(shuffled)).toBeGreaterThan(2 * ppl(story));
        expect(qualityFigures(story.quality!.positions).top1Accuracy!.value).toBeGreaterThan(qualityFigures(shuffled.quality!.positions).top1Accuracy!.value);
        // a quality-only config measures no speed, and its memory figure covers the whole child, the pass included
        expect(story.measurements).toEqual([]);
        expect(story.peakRssBytes).toBeGreaterThanOrEqual(story.quality!.peakRssBytes);
    });

    test("a corpus that tokenizes to less than one chunk fails before anything is measured, naming the counts", async () => {
        const config = { ...qualityConfig(models.tiny.path, corpus.slice(0, 200), 128, 1), prompts: [{ id: "p", text: "Hi", kind: "completion" as const }] };
        await expect(measureConfig(config, models.tiny.path)).rejects.toThrow(/^quality\.corpus is too short: the corpus is \d+ tokens, less than one chunk of 128$/);
    });
});

describe("against a reference, through the bench command", () => {
    async function scenario(name: string) {
        const dir = path.join(work, name);
        await mkdir(dir, { recursive: true });
        return { dir, suitePath: path.join(dir, "suite.yaml"), db: path.join(dir, "bench.db"), results: path.join(dir, "runs"), env: { GGUF_BENCH_CACHE: path.join(dir, "cache") } };
    }

    test("mean KLD rises down the quant ladder, same top-1 falls; samples in SQLite, figures in the run file, the reference cached", async () => {
        const s = await scenario("ladder");
        const quality = { corpus: corpusPath, context: 128, chunks: 4 };
        const suite = ladder != null
            ? { name: "ladder", models: ladder.quants.map((file) => ({ path: file })), quality: { ...quality, reference: ladder.reference } }
            : { name: "ladder", models: [{ synthetic: { preset: "small", quant: ["Q8_0", "Q4_0"], seed: 42 } }], quality: { ...quality, reference: "F16" } };
        await writeFile(s.suitePath, suiteYaml(suite));
        const result = await runBench([s.suitePath, "--db", s.db, "--results", s.results], s.env);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/reference .* computed in .*, cached in/);
        expect(result.stdout).toMatch(/^quality: sample\.txt, 4 chunk\(s\) × 128 tokens \(252 scored\) against .*exact KLD/m);

        const run = onlyRunFile(s.results) as unknown as { configs: { label: string; quality: { positions: { nll: number[] }; reference: { cacheKey: string; topK: number | null }; figures: Record<string, { value: number }> } }[] };
        const kld = run.configs.map((c) => c.quality.figures.kldMean!.value);
        const sameTop1 = run.configs.map((c) => c.quality.figures.sameTop1!.value);
        for (let i = 1; i < kld.length; i++) {
            expect(kld[i], `${run.configs[i]!.label} KLD ${kld[i]} after ${kld[i - 1]}`).toBeGreaterThan(kld[i - 1]!);
            expect(sameTop1[i]).toBeLessThan(sameTop1[i - 1]!);
        }
        expect(kld[0]).toBeGreaterThan(0);
        for (const config of run.configs) {
            expect(config.quality.positions.nll).toHaveLength(252);
            expect(config.quality.reference.topK).toBeNull(); // a 512-token vocabulary: exact KLD
            expect(config.quality.figures.kldP999!.value).toBeGreaterThanOrEqual(config.quality.figures.kldP99!.value);
        }

        const positionRows = (file: string) => {
            const db = new Database(file, { readonly: true });
            try {
                return {
                    counts: db.prepare("SELECT count(*) AS n, count(kld) AS kld, count(DISTINCT config_id) AS configs FROM quality_positions").get(),
                    quality: db.prepare("SELECT config_id, corpus_sha256, context, chunks, corpus_tokens, reference, ms, peak_rss_bytes FROM quality ORDER BY config_id").all(),
                    positions: db.prepare("SELECT * FROM quality_positions ORDER BY run_id, config_id, pos").all()
                };
            } finally {
                db.close();
            }
        };
        const rows = positionRows(s.db);
        expect(rows.counts).toEqual({ n: 252 * run.configs.length, kld: 252 * run.configs.length, configs: run.configs.length });
        // the run file is the whole record: a database made from it alone holds the same raw samples
        const fresh = path.join(s.dir, "from-file.db");
        const imported = await runCli("db", ["import", s.results, "--db", fresh]);
        expect(imported.code, imported.stderr).toBe(0);
        expect(positionRows(fresh)).toEqual(rows);

        // a second run reads the cached reference and scores the same numbers
        const again = await runBench([s.suitePath, "--db", s.db, "--results", path.join(s.dir, "runs-2")], s.env);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).not.toMatch(/reference .* computed in/);
        const second = onlyRunFile(path.join(s.dir, "runs-2")) as unknown as typeof run;
        expect(second.configs.map((c) => c.quality.figures.kldMean!.value)).toEqual(kld);
        expect(second.configs[0]!.quality.reference.cacheKey).toBe(run.configs[0]!.quality.reference.cacheKey);
    });

    test("a model whose vocabulary differs from the reference's is refused before anything runs (exit 2)", async () => {
        const s = await scenario("vocabulary");
        const original = models.real ? models.tiny.path : (await syntheticModel("tiny")).path;
        const changed = path.join(s.dir, "changed-vocabulary.gguf");
        await copyFile(original, changed);
        await changeOneToken(changed);
        await writeFile(s.suitePath, suiteYaml({ name: "vocab", models: [{ path: changed }], quality: { corpus: corpusPath, context: 64, reference: original } }));
        const result = await runBench([s.suitePath, "--db", s.db, "--results", s.results], s.env);
        expect(result.code, result.stderr).toBe(2);
        const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`quality.reference: the vocabulary of changed-vocabulary.gguf differs from the reference ${path.basename(original)} (the same number of tokens, but different ones)`);
        expect(result.stdout).toBe("");
    });

    test("a context longer than the model was trained on is refused before anything runs (exit 2)", async () => {
        const s = await scenario("context");
        await writeFile(s.suitePath, suiteYaml({ name: "ctx", models: [{ path: models.tiny.path }], quality: { corpus: corpusPath, context: 5000 } }));
        const result = await runBench([s.suitePath, "--db", s.db, "--results", s.results], s.env);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr.trim()).toMatch(/quality\.context: expected at most \d+, the context the model .* was trained on, got `5000`$/);
    });
});

/** Changes one token's text in a GGUF file's vocabulary (same length, so the file stays valid). */
async function changeOneToken(file: string): Promise<void> {
    const bytes = await readFile(file);
    const token = Buffer.from("\u2581the", "utf8");
    const prefixed = Buffer.concat([Buffer.from([token.length, 0, 0, 0, 0, 0, 0, 0]), token]);
    const at = bytes.indexOf(prefixed);
    if (at < 0) throw new Error(`no token ▁the in ${file}`);
    bytes[at + prefixed.length - 1] = "Q".charCodeAt(0);
    await writeFile(file, bytes);
}
