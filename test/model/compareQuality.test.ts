/**
 * compare on real quality passes: a coarser quant of the same model against the same reference is flagged on mean
 * KLD (exit 1), and one run against itself flags nothing (the engine is deterministic, the passes identical).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Comparison } from "../../runner/compare/compareSides.ts";
import { killLeftovers, onlyRunFile, projectRoot, runBench, runCli, runFileNames, suiteYaml } from "./cliHarness.ts";
import { realModel, testModels } from "./testModels.ts";

const models = await testModels();
const corpus = path.join(projectRoot, "corpora", "sample.txt");

let work: string;
beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "gguf-bench-compare-quality-"));
});
afterAll(async () => {
    killLeftovers();
    if (work != null) await rm(work, { recursive: true, force: true });
});

/** A quality-only suite of one quant of the 25M model (real), else of the synthetic small preset, against its F16. */
function suite(quant: "q8_0" | "q2_k"): object {
    const quality = { corpus, context: 128, chunks: 3 };
    if (models.real) return { name: `quality-${quant}`, models: [{ path: realModel(`synthetic-llama-25m-${quant}.gguf`)! }], quality: { ...quality, reference: realModel("synthetic-llama-25m-f16.gguf")! } };
    return { name: `quality-${quant}`, models: [{ synthetic: { preset: "small", quant: [quant === "q8_0" ? "Q8_0" : "Q4_0"], seed: 42 } }], quality: { ...quality, reference: "F16" } };
}

describe("compare on quality passes", () => {
    test("Q8_0 → a coarser quant: mean KLD flagged as a regression (exit 1); a run against itself: no quality row flagged (exit 0)", async () => {
        const env = { GGUF_BENCH_CACHE: path.join(work, "cache") };
        const db = path.join(work, "bench.db");
        const files: string[] = [];
        for (const quant of ["q8_0", "q2_k"] as const) {
            const dir = path.join(work, quant);
            const suitePath = path.join(work, `${quant}.yaml`);
            await writeFile(suitePath, suiteYaml(suite(quant)));
            const result = await runBench([suitePath, "--db", db, "--results", dir], env);
            expect(result.code, result.stderr).toBe(0);
            expect(onlyRunFile(dir).configs[0]!.quality).not.toBeNull();
            files.push(path.join(dir, runFileNames(dir)[0]!));
        }
        const [fine, coarse] = files as [string, string];

        const worse = await runCli("compare", [fine, coarse, "--match", "order", "--format", "json"]);
        expect(worse.code, worse.stderr).toBe(1);
        const c = JSON.parse(worse.stdout) as Comparison;
        const kld = c.rows.find((r) => r.item === "(quality)" && r.metric === "kldMean")!;
        expect(kld.verdict, JSON.stringify(kld)).toBe("regression");
        expect(kld.low!).toBeGreaterThan(1.05);
        expect(kld.baseline.n).toBe(3 * 63);
        // the same reference: the same positions, its perplexity paired and unchanged
        expect(c.rows.find((r) => r.metric === "perplexityRef")).toMatchObject({ ratio: 1, verdict: "unchanged" });
        expect(c.rows.find((r) => r.metric === "kldP99")).toMatchObject({ verdict: "not judged", p: null });

        const same = await runCli("compare", [fine, fine, "--format", "json", "--same-run"]);
        expect(same.code, same.stderr).toBe(0);
        const quality = (JSON.parse(same.stdout) as Comparison).rows.filter((r) => r.item === "(quality)");
        expect(quality.length).toBeGreaterThan(10);
        for (const row of quality) expect(["unchanged", "not judged"], `${row.metric} ${row.verdict}`).toContain(row.verdict);
        expect(quality.find((r) => r.metric === "kldMean")).toMatchObject({ ratio: 1, low: 1, high: 1, verdict: "unchanged" });

        // the text form, as the README shows it: the factor, and why a row was not judged
        const text = await runCli("compare", [fine, coarse, "--match", "order", "--metric", "perplexity,kldMean,kldP99,sameTop1"]);
        expect(text.code).toBe(1);
        expect(text.stdout).toMatch(/\nregressions: \d+\n(.*\n)*.*\(quality\) +KLD nats .* ×\d+(\.\d)? \[×.*\] +paired positions\n/);
        expect(text.stdout).toMatch(/\nnot judged:\n {2}.*\(quality\): KLD p99: a percentile or maximum of positions/);
    });
});
