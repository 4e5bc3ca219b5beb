import { describe, expect, it } from "vitest";
import { directionText, formatMetricValue, metricCatalogue, metricDef, metricTitle } from "../../runner/metrics/catalogue.ts";
import { batchMetrics, benchTestMetrics, engineMetrics, parallelLevelMetrics, streamMetrics } from "../../runner/stats/metrics.ts";
import { visible, visibleFormatting, visibleLines } from "../../runner/format/visible.ts";
import { qualityFigures } from "../../runner/stats/qualityFigures.ts";

describe("metric catalogue", () => {
    it("knows every metric the measuring code produces", () => {
        const produced = new Set([
            ...Object.keys(streamMetrics({ promptTokens: 10, tokenTimesMs: [5, 7, 9, 12], e2eMs: 13, prefillMs: 4 })),
            ...Object.keys(batchMetrics({ promptTokens: 10, genTokens: 4, e2eMs: 13 })),
            ...Object.keys(benchTestMetrics({ pp: 512, tg: 128, ppMs: 100, tgMs: 200, depth: 0 })),
            ...Object.keys(engineMetrics({ promptEvalMs: 1, promptEvalTokens: 2, evalMs: 3, evalRuns: 4 })),
            ...Object.keys(parallelLevelMetrics({ sequenceTimesMs: [[5, 7, 9], [6, 8, 10]], prompt: 4, gen: 2 })),
            // what measureParallel.ts adds beside them
            "kvCells", "levelRssBytes", "levelPeakRssBytes", "levelVramBytes", "engineMs"
        ]);
        expect([...produced].filter((name) => !metricCatalogue.has(name))).toEqual([]);
    });

    it("knows every quality figure, in the quality group: lower is better but for top-1 agreement, accuracy and Δp mean", () => {
        const figures = qualityFigures({
            token: [1, 2], nll: [1, 2], top1: [1, 3], nllRef: [1, 1.5], top1Ref: [1, 2], kld: [0.1, 0.2], tailRef: [0.01, 0.02]
        });
        const names = Object.keys(figures);
        expect(names.filter((name) => metricDef(name)?.group !== "quality")).toEqual([]);
        const higher = names.filter((name) => metricDef(name)!.better === "higher").sort();
        expect(higher).toEqual(["deltaPMean", "sameTop1", "top1Accuracy"]);
        expect(metricDef("kldP999")?.better).toBe("lower");
        expect(metricDef("perplexity")?.better).toBe("lower");
        // the share of the reference the top-K approximation cannot see describes the method, not the model
        expect(metricDef("kldTailMass")?.better).toBe("none");
    });

    it("says tokens per second are better higher and milliseconds and bytes lower", () => {
        expect(metricDef("decodeTps")?.better).toBe("higher");
        expect(metricDef("ttftMs")?.better).toBe("lower");
        expect(metricDef("peakRssBytes")?.better).toBe("lower");
        expect(metricDef("genTokens")?.better).toBe("none");
        expect(directionText("prefillTps")).toBe("higher is better");
        expect(directionText("e2eMs")).toBe("lower is better");
        expect(directionText("promptTokens")).toBe("");
        expect(directionText("no such metric")).toBe("");
    });

    it("gives every unit a consistent direction", () => {
        for (const def of metricCatalogue.values()) {
            if (def.unit === "tok/s") expect(def.better, def.name).toBe("higher");
            if (def.unit === "ms" || def.unit === "bytes") expect(def.better, def.name).toBe("lower");
        }
    });

    it("formats values and titles from the catalogue", () => {
        expect(metricTitle("decodeTps")).toBe("decode tok/s");
        expect(metricTitle("peakRssBytes")).toBe("peak RSS");
        expect(metricTitle("mystery")).toBe("mystery");
        expect(formatMetricValue("decodeTps", 12.345)).toBe("12.3");
        expect(formatMetricValue("peakRssBytes", 3 * 1024 ** 2)).toBe("3.0 MiB");
        expect(formatMetricValue("itlP90Ms", 1.234)).toBe("1.23");
    });
});

describe("visible", () => {
    it("shows terminal escapes instead of sending them", () => {
        expect(visible("a\u001b]0;pwned\u0007b")).toBe("a\\x1b]0;pwned\\x07b");
        expect(visible("\u001b[2Jclear")).toBe("\\x1b[2Jclear");
        expect(visible("c1\u009bx")).toBe("c1\\x9bx");
        expect(visible("rtl\u202eevil")).toBe("rtl\\u202eevil");
        expect(visible("two\nlines\ttab\r")).toBe("two\\nlines\\ttab\\r");
        expect(visible("Qwen2.5 Q4_K_M · ✓ naïve 模型")).toBe("Qwen2.5 Q4_K_M · ✓ naïve 模型");
    });

    it("shows every invisible formatting character: zero-width ones, isolates, the BOM, the soft hyphen", () => {
        const hidden = ["\u200b", "\u200c", "\u200d", "\u2060", "\u2066", "\u2069", "\u206a", "\ufeff", "\u00ad", "\u061c", "\u180e", "\ufff9"];
        for (const char of hidden) expect(visible(`a${char}b`), char.codePointAt(0)!.toString(16)).toMatch(/^a\\(x|u)[0-9a-f]{2,4}b$/);
        expect(visibleLines("pay\u200balice\n")).toBe("pay\\u200balice\n");
        expect(visibleFormatting("evil\u202egnp.exe\ufeff")).toBe("evil⟨U+202E⟩gnp.exe⟨U+FEFF⟩");
        // letters, marks and emoji joiners' neighbours are text, not formatting
        expect(visibleFormatting("naïve 模型 ✓")).toBe("naïve 模型 ✓");
    });

    it("keeps newlines and tabs of multi-line text", () => {
        expect(visibleLines("line 1\n\tline 2\u001b[31m")).toBe("line 1\n\tline 2\\x1b[31m");
    });
});
