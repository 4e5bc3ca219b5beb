import { describe, expect, it } from "vitest";
import type { ConfigView } from "../../../report/src/data/types.ts";
import { tradeoff } from "../../../report/src/data/tradeoff.ts";
import { tradeoffChart } from "../../../report/src/charts/tradeoffChart.ts";
import { ladderQualityChart } from "../../../report/src/charts/ladderCharts.ts";
import { ladders } from "../../../report/src/data/ladder.ts";
import { lineChart } from "../../../report/src/charts/lineChart.ts";
import { palette } from "../../../report/src/charts/chartModel.ts";
import { itlChart, maxRssPoints, rssTimelineChart } from "../../../report/src/charts/detailCharts.ts";
import { defaultSettings } from "../../../runner/suite/types.ts";

function view(id: string, quant: string, decode: number, rss: number): ConfigView {
    return {
        runId: "r", id, position: 0, label: `m ${quant}`, status: "ok", error: null, model: null, params: defaultSettings, engine: null,
        loadMs: null, peakRssBytes: rss, vramBytes: null, startedAt: "", prompts: ["explain"],
        summaries: { explain: { decodeTps: { n: 3, mean: decode, sd: 1, median: decode, min: decode - 1, max: decode + 1 } } },
        family: "m", quant, synthetic: quant === "F16", quality: null, machineLoad: null
    };
}

const json = (value: unknown) => JSON.stringify(value);

describe("chart specs", () => {
    it("a trade-off names both axes with units and directions, marks the front, and tables its figures", () => {
        const t = tradeoff([view("a", "F16", 10, 400 * 2 ** 20), view("b", "Q4_0", 30, 100 * 2 ** 20)], "peakRssBytes", "decodeTps")!;
        const chart = tradeoffChart("t", t);
        expect(chart.title).toBe("decode tok/s against peak RSS");
        expect(chart.better).toBe("up and to the left is better");
        const spec = json(chart.spec);
        expect(spec).toContain("\"title\":\"peak RSS MiB — lower is better\"");
        expect(spec).toContain("\"title\":\"decode tok/s (explain) — higher is better\"");
        expect(spec).toContain(palette[0]);
        // the synthetic model is labelled as such in the legend
        expect(spec).toContain("m (synthetic)");
        // MiB on the axis, binary units in the table
        expect(chart.table.rows).toEqual([["m F16", "F16", "400 MiB", "–", "10.0", "9.0 – 11.0", "no"], ["m Q4_0", "Q4_0", "100 MiB", "–", "30.0", "29.0 – 31.0", "yes"]]);
    });

    it("says memory ties on the front, and pads a one-value axis so its ticks fall on round numbers", () => {
        const t = tradeoff([view("a", "Q4_0", 30, 198.273438 * 2 ** 20)], "peakRssBytes", "decodeTps")!;
        const chart = tradeoffChart("t", t);
        // the caption is wrapped into lines: joined again with the spaces it was split at
        expect(json(chart.spec).replace(/","/g, " ")).toContain("peak memories within 5 % count as equal");
        const layers = (chart.spec as { layer: { encoding: Record<string, { field?: string; scale?: { domain?: number[] } }> }[] }).layer;
        const x = layers.map((l) => l.encoding.x).find((e) => e?.field === "x")!;
        expect(x.scale!.domain![0]).toBeCloseTo(198.273438 * 0.95, 6);
        expect(x.scale!.domain![1]).toBeCloseTo(198.273438 * 1.05, 6);
        // two values keep vega's own domain
        const two = tradeoffChart("t", tradeoff([view("a", "Q4_0", 30, 100 * 2 ** 20), view("b", "Q8_0", 20, 200 * 2 ** 20)], "peakRssBytes", "decodeTps")!);
        const x2 = (two.spec as typeof chart.spec & { layer: { encoding: Record<string, { field?: string; scale?: { domain?: number[] } }> }[] }).layer.map((l) => l.encoding.x).find((e) => e?.field === "x")!;
        expect(x2.scale!.domain).toBeUndefined();
    });

    it("keeps quants whose speed intervals overlap both on the front, and draws every interval as a bar", () => {
        // 402.1 vs 402.5 tok/s, each ± 120: neither is faster, so the bigger file is not dominated
        const noisy = (id: string, quant: string, decode: number, rss: number): ConfigView => {
            const v = view(id, quant, decode, rss);
            v.summaries.explain!.decodeTps = { n: 3, mean: decode, sd: 120, median: decode, min: decode - 120, max: decode + 120 };
            return v;
        };
        const t = tradeoff([noisy("a", "F16", 402.1, 400 * 2 ** 20), noisy("b", "Q8_0", 402.5, 200 * 2 ** 20), noisy("c", "Q4_0", 900, 100 * 2 ** 20)], "peakRssBytes", "decodeTps")!;
        expect(t.points.map((p) => [p.config.quant, p.onFront])).toEqual([["F16", false], ["Q8_0", false], ["Q4_0", true]]);
        const close = tradeoff([noisy("a", "F16", 402.1, 400 * 2 ** 20), noisy("b", "Q8_0", 402.5, 200 * 2 ** 20)], "peakRssBytes", "decodeTps")!;
        expect(close.points.map((p) => p.onFront)).toEqual([true, true]);
        const layers = (tradeoffChart("t", close).spec as { layer: { mark: { type: string }; encoding: Record<string, { field?: string }> }[] }).layer;
        const bars = layers.filter((l) => l.mark.type === "rule" && l.encoding.y2 != null);
        expect(bars).toHaveLength(1);
        expect(bars[0]!.encoding.y!.field).toBe("yLow");
        expect(bars[0]!.encoding.y2!.field).toBe("yHigh");
    });

    it("marks the reference as the reference on a divergence axis, not as a point at a made-up value, with one tick format", () => {
        const withKld = (id: string, quant: string, decode: number, kld: number, sha: string): ConfigView => ({
            ...view(id, quant, decode, 100 * 2 ** 20),
            model: { source: "synthetic", file: `${quant}.gguf`, path: `${quant}.gguf`, sha256: sha, sizeBytes: 1, quant, arch: "llama", parameters: 1 },
            prompts: ["explain", "quality"],
            summaries: {
                explain: { decodeTps: { n: 3, mean: decode, sd: 1, median: decode, min: decode - 1, max: decode + 1 } },
                quality: { kldMean: { n: 500, mean: kld, sd: kld / 20, median: kld, min: kld, max: kld } }
            },
            quality: {
                corpus: "c", corpusSha256: "0", context: 64, chunks: 1, corpusTokens: 64, scored: 500, ms: 1, peakRssBytes: 1,
                reference: { name: "F16", file: "F16.gguf", sha256: "f16", topK: null, cacheKey: "k", cacheBytes: 1, computeMs: 1 }
            }
        });
        const t = tradeoff([withKld("a", "F16", 100, 0, "f16"), withKld("b", "Q8_0", 200, 1e-6, "q8"), withKld("c", "Q4_0", 300, 3e-3, "q4")], "kldMean", "decodeTps")!;
        expect(t.points.map((p) => p.reference)).toEqual([true, false, false]);
        expect(t.points[1]!.xLow).toBeCloseTo(1e-6 - 1.96 * 5e-8, 12);
        const chart = tradeoffChart("t", t);
        const layers = (chart.spec as { layer: { mark: { type: string }; data: { values: { quant: string }[] }; encoding: Record<string, { axis?: { values: number[]; format: string } }> }[] }).layer;
        // the F16 is a horizontal rule labelled as the reference, and no point of it sits on the log axis
        const rule = layers.find((l) => l.mark.type === "rule" && l.encoding.x == null)!;
        expect(rule.data.values.map((v) => v.quant)).toEqual(["F16 (reference)"]);
        const points = layers.find((l) => l.mark.type === "point" && l.encoding.tooltip != null)!;
        expect(points.data.values.map((v) => v.quant)).toEqual(["Q8_0", "Q4_0"]);
        expect(points.encoding.x!.axis).toEqual({ values: [1e-6, 1e-5, 1e-4, 1e-3], format: "~e" });
        expect(chart.table.rows[0]![1]).toBe("F16 (reference)");
    });

    it("puts quality on the quant ladder: KLD with its interval per quant, the reference named and not drawn", () => {
        const withKld = (id: string, quant: string, kld: number, sha: string, size: number): ConfigView => ({
            ...view(id, quant, 100, 100 * 2 ** 20),
            model: { source: "synthetic", file: `${quant}.gguf`, path: `${quant}.gguf`, sha256: sha, sizeBytes: size, quant, arch: "llama", parameters: 1 },
            prompts: ["explain", "quality"],
            summaries: { quality: { kldMean: { n: 500, mean: kld, sd: kld / 20, median: kld, min: kld, max: kld } } },
            quality: {
                corpus: "c", corpusSha256: "0", context: 64, chunks: 1, corpusTokens: 64, scored: 500, ms: 1, peakRssBytes: 1,
                reference: { name: "F16", file: "F16.gguf", sha256: "f16", topK: null, cacheKey: "k", cacheBytes: 1, computeMs: 1 }
            }
        });
        const [ladder] = ladders([withKld("a", "F16", 0, "f16", 300), withKld("b", "Q8_0", 1e-4, "q8", 200), withKld("c", "Q4_0", 0.02, "q4", 100)]);
        const chart = ladderQualityChart("q", ladder!)!;
        const spec = chart.spec as { data: { values: { step: string; low: number; high: number }[] }; title: { subtitle: string[] } };
        expect(spec.data.values.map((v) => v.step)).toEqual(["Q8_0", "Q4_0"]);
        expect(spec.data.values[1]!.low).toBeCloseTo(0.02 - 1.96 * 0.001, 9);
        expect(spec.title.subtitle.join(" ")).toMatch(/F16: the reference \(KLD 0 by definition\)/);
        expect(chart.table.rows[0]![1]).toMatch(/\(the reference\)$/);
    });

    it("keeps the spec plain JSON, with untrusted text only in data values", () => {
        const chart = lineChart([{ series: "<img src=x onerror=alert(1)>", x: 1, y: 2 }], {
            id: "l", title: "decode tok/s against threads", better: "higher is better", xTitle: "threads", yTitle: "decode tok/s",
            xType: "quantitative", columns: ["threads", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        expect(JSON.parse(JSON.stringify(chart.spec))).toEqual(chart.spec);
        expect(chart.table.rows).toEqual([["<img src=x onerror=alert(1)>", "1", "2.0"]]);
    });

    it("ticks a number axis at the values measured: whole sequences, not 1.1, 1.2, …", () => {
        const levels = [1, 2, 4, 8].flatMap((n) => [{ series: "a", x: n, y: 10 * n }, { series: "b", x: n, y: 9 * n }]);
        const chart = lineChart(levels, {
            id: "s", title: "S_TG against concurrency", better: "higher is better", xTitle: "sequences evaluated together", yTitle: "decode tok/s",
            xType: "quantitative", columns: ["sequences", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        const x = (chart.spec as { layer: { encoding: { x: { axis: { values: number[]; format: string } } } }[] }).layer[0]!.encoding.x;
        expect(x.axis).toMatchObject({ values: [1, 2, 4, 8], format: "d" });
        const fractional = lineChart([{ series: "a", x: 0.5, y: 1 }, { series: "a", x: 2, y: 2 }], {
            id: "f", title: "t", better: "", xTitle: "x", yTitle: "y", xType: "quantitative", columns: ["x", "y"], yText: String
        });
        expect((fractional.spec as { layer: { encoding: { x: { axis: { format: string } } } }[] }).layer[0]!.encoding.x.axis.format).toBe("~g");
    });

    it("puts runs on an axis of runs in the given order, one step each, however close in time", () => {
        const chart = lineChart([{ series: "c", x: "b2 · 11-29 22:58:10", y: 3 }, { series: "c", x: "a1 · 11-29 22:57:54", y: 2 }], {
            id: "h", title: "decode tok/s over runs", better: "higher is better", xTitle: "run (commit · started, UTC)", yTitle: "decode tok/s",
            xType: "ordinal", xDomain: ["a1 · 11-29 22:57:54", "b2 · 11-29 22:58:10"], columns: ["run", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        const x = (chart.spec as { layer: { encoding: { x: { type: string; sort: string[] } } }[] }).layer[0]!.encoding.x;
        expect(x.type).toBe("ordinal");
        expect(x.sort).toEqual(["a1 · 11-29 22:57:54", "b2 · 11-29 22:58:10"]);
    });

    it("shows run times in UTC, as its axis title says, whatever the reader's time zone", () => {
        const chart = lineChart([{ series: "c", x: "2026-11-29T22:57:54.000Z", y: 2 }], {
            id: "h", title: "decode tok/s over runs", better: "higher is better", xTitle: "run started (UTC)", yTitle: "decode tok/s",
            xType: "temporal", columns: ["run started", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        const spec = JSON.stringify(chart.spec);
        expect(spec).toContain(`"scale":{"type":"utc"},"axis":{"format":"%b %d %H:%M"`);
        // the one timestamp format of the report (data/timestamp.ts)
        expect(spec).toContain(`"xText":"2026-11-29 22:57:54 UTC"`);
        expect(chart.table.rows).toEqual([["c", "2026-11-29 22:57:54 UTC", "2.0"]]);
    });
});

describe("config page charts", () => {
    it("draws a long RSS timeline (an older database's) as the record keeps one, so the peak survives", () => {
        const samples = Array.from({ length: 1000 }, (_, i) => ({ t: i, bytes: i === 777 ? 10_000 : i, phase: "decode" as const }));
        const drawn = (rss: typeof samples) => (rssTimelineChart("rss", { repetitions: [], rss, outputs: {}, warnings: [], stderr: null })!.spec as { data: { values: { mib: number }[] } }).data.values;
        expect(drawn(samples).length).toBeLessThanOrEqual(maxRssPoints);
        expect(Math.max(...drawn(samples).map((v) => v.mib))).toBe(10_000 / 1048576);
        expect(drawn(samples.slice(0, 50))).toHaveLength(50);
    });

    it("sums token timing up per position: the median gap over repetitions with its min and max", () => {
        const rep = (r: number, times: number[]) => ({ prompt: "p", kind: "prompt" as const, rep: r, metrics: {}, tokenTimesMs: times });
        const chart = itlChart("itl", { repetitions: [rep(0, [10, 12, 15]), rep(1, [10, 14, 15]), rep(2, [10, 13, 20])], rss: [], outputs: {}, warnings: [], stderr: null })!;
        expect(chart.table.rows).toEqual([["p", "2", "3.00", "2.00", "4.00"], ["p", "3", "3.00", "1.00", "7.00"]]);
        expect(JSON.stringify(chart.spec)).toContain("gap ms — lower is better");
    });
});
