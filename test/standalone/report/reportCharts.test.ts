import { describe, expect, it } from "vitest";
import type { ConfigView } from "../../../report/src/data/types.ts";
import { tradeoff } from "../../../report/src/data/tradeoff.ts";
import { tradeoffChart } from "../../../report/src/charts/tradeoffChart.ts";
import { lineChart } from "../../../report/src/charts/lineChart.ts";
import { palette } from "../../../report/src/charts/chartModel.ts";
import { itlChart, maxRssPoints, rssTimelineChart } from "../../../report/src/charts/detailCharts.ts";
import { defaultSettings } from "../../../runner/suite/types.ts";

function view(id: string, quant: string, decode: number, rss: number): ConfigView {
    return {
        runId: "r", id, position: 0, label: `m ${quant}`, status: "ok", error: null, model: null, params: defaultSettings,
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
        expect(chart.table.rows).toEqual([["m F16", "F16", "400 MiB", "10.0", "no"], ["m Q4_0", "Q4_0", "100 MiB", "30.0", "yes"]]);
    });

    it("keeps the spec plain JSON, with untrusted text only in data values", () => {
        const chart = lineChart([{ series: "<img src=x onerror=alert(1)>", x: 1, y: 2 }], {
            id: "l", title: "decode tok/s against threads", better: "higher is better", xTitle: "threads", yTitle: "decode tok/s",
            xType: "quantitative", columns: ["threads", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        expect(JSON.parse(JSON.stringify(chart.spec))).toEqual(chart.spec);
        expect(chart.table.rows).toEqual([["<img src=x onerror=alert(1)>", "1", "2.0"]]);
    });

    it("shows run times in UTC, as its axis title says, whatever the reader's time zone", () => {
        const chart = lineChart([{ series: "c", x: "2026-11-29T22:57:54.000Z", y: 2 }], {
            id: "h", title: "decode tok/s over runs", better: "higher is better", xTitle: "run started (UTC)", yTitle: "decode tok/s",
            xType: "temporal", columns: ["run started", "decode tok/s"], yText: (y) => y.toFixed(1)
        });
        const spec = JSON.stringify(chart.spec);
        expect(spec).toContain(`"scale":{"type":"utc"},"axis":{"format":"%b %d %H:%M"`);
        expect(spec).toContain(`"xText":"2026-11-29 22:57 UTC"`);
        expect(chart.table.rows).toEqual([["c", "2026-11-29 22:57 UTC", "2.0"]]);
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
