import { describe, expect, it } from "vitest";
import { formatQualityTable } from "../../runner/cli/qualityTable.ts";
import { progressBar } from "../../runner/cli/progress.ts";
import type { ConfigRecord, QualityRecord } from "../../runner/results.ts";

function record(label: string, quality: QualityRecord | null, status: ConfigRecord["status"] = "ok"): ConfigRecord {
    return { label, status, quality } as ConfigRecord;
}

const base: QualityRecord = {
    corpus: { path: "/repo/corpora/sample.txt", sha256: "ab" }, context: 128, chunks: 1, corpusTokens: 200, ms: 2500, peakRssBytes: 1,
    reference: { name: "F16", file: "tiny-f16.gguf", sha256: "cd", topK: 64, cacheKey: "k", cacheBytes: 2 * 1024 * 1024, computeMs: 100 },
    positions: { token: [1, 2], nll: [Math.log(2), Math.log(8)], top1: [1, 3], nllRef: [Math.log(2), Math.log(4)], top1Ref: [1, 2], kld: [0.25, 0.75], tailRef: [0.02, 0.04] }
};

describe("the quality table", () => {
    it("shows one row per config with a quality pass: perplexity ± its uncertainty, KLD, same top-1, and what was scored", () => {
        const { table, warnings } = formatQualityTable([record("tiny Q8_0", base), record("tiny Q4_0", null, "failed")]);
        const lines = table.split("\n");
        expect(lines[0]).toBe("quality: sample.txt, 1 chunk(s) × 128 tokens (2 scored) against F16 (tiny-f16.gguf), KLD estimated from the reference's top 64; reference cached in 2.0 MiB (1000 MiB per 1000 scored tokens)");
        expect(lines[1]).toMatch(/^config\s+PPL\s+top-1 acc %\s+KLD nats\s+KLD p99 nats\s+KLD p99\.9 nats\s+KLD max nats\s+same top-1 %\s+Δp RMS %\s+PPL ratio\s+time$/);
        const row = lines[3]!;
        expect(row).toMatch(/^tiny Q8_0 /);
        expect(row).toContain("4.0000 ± "); // exp(mean(ln 2, ln 8))
        expect(row).toContain("0.500000 ± 0.250000"); // KLD mean of 0.25 and 0.75
        expect(row).toContain("50.00 ± 50.00"); // same top-1: one of two
        expect(row).toMatch(/2\.50 s$/);
        expect(lines).toHaveLength(4); // the failed config has no row
        expect(warnings).toEqual([]);
    });

    it("leaves out reference columns for a perplexity-only pass, and prints nothing when no config scored", () => {
        const { table } = formatQualityTable([record("tiny", { ...base, reference: null, positions: { token: [1], nll: [1], top1: [1] } })]);
        expect(table.split("\n")[1]).toMatch(/^config\s+PPL\s+top-1 acc %\s+time$/);
        expect(formatQualityTable([record("tiny", null)])).toEqual({ table: "", warnings: [] });
    });

    it("warns when a top-K reference left much of its probability outside its K tokens: that KLD is a rougher estimate", () => {
        const { warnings } = formatQualityTable([record("tiny\u001b[2J", { ...base, positions: { ...base.positions, tailRef: [0.2, 0.4] } })]);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/^tiny\\x1b\[2J: the reference's top 64 tokens held only 70\.0 % of its probability on average, so its KLD \(estimated for the other 30\.0 % from the top tokens\) may be off/);
    });

    it("draws one bar for a config's runs and quality chunks", () => {
        expect(progressBar(0, 8)).toBe("[........]");
        expect(progressBar(0.5, 8)).toBe("[####....]");
        expect(progressBar(1.7, 8)).toBe("[########]");
    });
});
