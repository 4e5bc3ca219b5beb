/** A config's quality pass in the run file: written whole (raw per-position samples), read back, checked, imported. */
import { describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import type { ConfigRecord, QualityRecord } from "../../runner/results.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { fromRunFile, toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

const options = { baseDir, homeDir };

/** Four positions against a top-K reference: figures a hand can check (perplexity exp(mean(ln 2, ln 8, ln 2, ln 8)) = 4). */
const quality: QualityRecord = {
    corpus: { path: `${homeDir}/text/wiki.txt`, sha256: "ef".repeat(32) },
    context: 8, chunks: 1, corpusTokens: 9,
    reference: { name: "F16", file: "m-f16.gguf", sha256: "12".repeat(32), topK: 64, cacheKey: "abc", cacheBytes: 4096, computeMs: 250 },
    ms: 1200.5, peakRssBytes: 3_000_000,
    positions: {
        token: [5, 6, 7, 8], nll: [Math.log(2), Math.log(8), Math.log(2), Math.log(8)], top1: [5, 1, 7, 2],
        nllRef: [Math.log(2), Math.log(4), Math.log(2), Math.log(4)], top1Ref: [5, 1, 7, 8],
        kld: [0, 0.25, 0.01, 0.3], tailRef: [0.01, 0.02, 0.01, 0.03]
    }
};
const withQuality: ConfigRecord = { ...makeConfig("q1"), quality };
const text = runFileText(toRunFile(makeRun(), [withQuality, makeConfig("c2")], options));

function edited(edit: (config: any) => void): string {
    const file = JSON.parse(text);
    edit(file.configs[0]);
    return JSON.stringify(file, null, 2);
}

function refusal(body: string): string {
    try {
        parseRunFile(body, "results/runs/r.json");
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
    }
    throw new Error("the file was accepted");
}

describe("a quality pass in the run file", () => {
    it("is written whole: what was scored, the reference, figures recomputed from the raw positions, the positions", () => {
        const written = JSON.parse(text).configs[0].quality;
        expect(Object.keys(written)).toEqual(["corpus", "context", "chunks", "corpusTokens", "reference", "ms", "peakRssBytes", "figures", "positions"]);
        expect(written.corpus.path).toBe("~/text/wiki.txt");
        expect(written.figures.perplexity.value).toBeCloseTo(4, 12);
        expect(written.figures.perplexityRef.value).toBeCloseTo(2 * Math.SQRT2, 12);
        expect(written.figures.sameTop1.value).toBe(75);
        expect(written.figures.kldMax).toEqual({ value: 0.3 });
        expect(Object.keys(written.positions)).toEqual(["token", "nll", "top1", "nllRef", "top1Ref", "kld", "tailRef"]);
        expect(written.positions.nll).toEqual(quality.positions.nll);
        // a column is one line of the file
        expect(text).toContain(`"top1": [5, 1, 7, 2]`);
        expect(JSON.parse(text).configs[1].quality).toBeNull();
    });

    it("goes file → records → database → file unchanged, byte for byte", () => {
        const read = parseRunFile(text, "r.json");
        expect(read.ignored).toEqual([]);
        const records = fromRunFile(read.file);
        expect(records.configs[0]!.quality).toEqual({ ...quality, corpus: { ...quality.corpus, path: "~/text/wiki.txt" } });
        const store = Store.open(":memory:");
        store.createRun(records.run);
        for (const config of records.configs) store.saveConfig(records.run.id, config);
        const back = store.getRun(records.run.id)!;
        store.close();
        expect(runFileText(toRunFile(back.run, back.configs, options))).toBe(text);
    });

    it("refuses figures that disagree with the positions, ragged columns, and reference samples without a reference", () => {
        expect(refusal(edited((c) => { c.quality.figures.kldMean.value = 0.1; })))
            .toMatch(/^results\/runs\/r\.json: configs\[0\]\.quality\.figures\.kldMean\.value: expected 0\.14 \(recomputed from the positions\), got 0\.1/);
        expect(refusal(edited((c) => { delete c.quality.figures.kldP99; }))).toMatch(/quality\.figures\.kldP99: missing, but the positions give this figure/);
        expect(refusal(edited((c) => { c.quality.positions.kld.pop(); }))).toMatch(/quality\.positions\.kld: expected 4 values \(one per scored position, as `nll` has\), got 3/);
        expect(refusal(edited((c) => { c.quality.reference = null; }))).toMatch(/quality\.reference: expected the reference the `nllRef` samples came from/);
        expect(refusal(edited((c) => { delete c.quality.positions.top1Ref; }))).toMatch(/quality\.positions\.top1Ref: expected `nllRef` and `top1Ref` together/);
        expect(refusal(edited((c) => { c.quality.positions.nll = []; }))).toMatch(/quality\.positions\.nll: expected a non-empty list/);
        expect(refusal(edited((c) => { delete c.quality.positions; }))).toMatch(/quality\.positions: expected .*got nothing \(key missing\)/);
    });

    it("reads a schema-2 file written before quality existed as having none", () => {
        const read = parseRunFile(edited((c) => { delete c.quality; }), "old.json");
        expect(read.file.configs[0]!.quality).toBeNull();
    });
});
