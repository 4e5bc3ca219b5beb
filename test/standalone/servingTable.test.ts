import { describe, expect, it } from "vitest";
import { formatServingTable } from "../../runner/cli/servingTable.ts";
import type { ConfigRecord, Measurement } from "../../runner/results.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import { makeConfig } from "./fixtures/records.ts";

function level(sequences: number, rep: number, decodeTps: number): Measurement {
    return { kind: "parallel", prompt: `np${sequences}:pp8+tg4`, rep, metrics: { sequences, prefillTps: 1000 * sequences, decodeTps, ttftMs: 5, itlP90Ms: 2 * sequences, kvCells: 12 * sequences, levelRssBytes: 2 ** 20 * (100 + sequences) } };
}

describe("formatServingTable", () => {
    it("is empty without parallel tests", () => {
        expect(formatServingTable([makeConfig("plain")])).toBe("");
    });

    it("shows a row per level measured with medians, then the knee; escapes the label", () => {
        const config: ConfigRecord = { ...makeConfig("c"), label: "evil\u001b[2J", parallel: [{ id: "par:pp8+tg4", sequences: [1, 2, 4], prompt: 8, gen: 4, shared: false, rise: 0.1, itlP90Ms: 5 }] };
        config.measurements = [level(1, 0, 100), level(1, 1, 102), level(2, 0, 180), level(2, 1, 190), level(4, 0, 190), level(4, 1, 200)];
        config.summary = summarizeMeasurements(config.measurements);
        const lines = formatServingTable([config]).split("\n");
        expect(lines[0]).toMatch(/^config\s+parallel test\s+sequences\s+S_PP tok\/s\s+S_TG tok\/s\s+TTFT ms\s+ITL p90 ms\s+KV cells\s+level RSS$/);
        expect(lines[2]).toMatch(/^evil\\x1b\[2J\s+par:pp8\+tg4\s+1\s+1000\.0 ± 0\.0\s+101\.0 ± 1\.4\s+5\.0 ± 0\.0\s+2\.00 ± 0\.00\s+12 ± 0\s+101 MiB$/);
        expect(lines).toHaveLength(6);
        expect(lines[5]).toBe("evil\\x1b[2J par:pp8+tg4: knee at 2 sequences (the last level whose aggregate decode tok/s rose 10 % or more); ITL p90 exceeds 5 ms from 4 sequences");
    });
});
