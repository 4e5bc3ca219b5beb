import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runBench } from "./cliHarness.ts";

let dir: string;
beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gguf-bench-skip-"));
});
afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
});

test("a config whose context cannot fit in this machine's memory is recorded as `skipped` with the reason, the others run, exit 0", async () => {
    const suite = path.join(dir, "suite.yaml");
    // small synthetic model (4 layers, 4 KV heads of 64): 2^24 tokens (the largest context a suite may ask) of f16
    // KV cache is 128 GiB, more than any machine this runs on has free
    await writeFile(suite, [
        "name: skip",
        "defaults: { repetitions: 1, warmup: 0, threads: 1, maxTokens: 8 }",
        "models:",
        "  - synthetic: { preset: small, quant: Q8_0 }",
        "matrix:",
        "  context: [512, 16777216]",
        "prompts:",
        "  - { id: p, kind: completion, text: Once upon a time }",
        ""
    ].join("\n"));
    const results = path.join(dir, "runs");
    const run = await runBench([suite, "--db", path.join(dir, "bench.db"), "--results", results], { GGUF_BENCH_CACHE: path.join(dir, "cache") });
    expect(run.code, run.stderr).toBe(0);
    const [file] = await readdir(results);
    const runFile = JSON.parse(await readFile(path.join(results, file!), "utf8")) as { configs: { status: string; error: string | null; params: { context: number }; measurements: unknown[] }[] };
    const byContext = new Map(runFile.configs.map((config) => [config.params.context, config]));
    expect(byContext.get(512)).toMatchObject({ status: "ok", error: null });
    const huge = byContext.get(16_777_216)!;
    expect(huge.status).toBe("skipped");
    expect(huge.error).toMatch(/needs ~[\d.]+ \w?iB RAM/);
    expect(huge.measurements).toEqual([]);
});
