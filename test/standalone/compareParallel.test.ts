import { describe, expect, it } from "vitest";
import { compareSides } from "../../runner/compare/compareSides.ts";
import { compareSerializers, kneeLines } from "../../runner/compare/compareSerializers.ts";
import type { Side } from "../../runner/compare/resolveSide.ts";
import type { ConfigRecord, Measurement } from "../../runner/results.ts";
import { toRunFile, type RunFile } from "../../runner/store/runFile.ts";
import type { ParallelTest } from "../../runner/suite/types.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";

const test: ParallelTest = { id: "par:pp8+tg4", sequences: [1, 2, 4], prompt: 8, gen: 4, shared: false, rise: 0.1, itlP90Ms: 10 };

/** Three repetitions per level with aggregate decode tok/s around `tps[i]` and ITL p90 `itl[i]`. */
function config(tps: number[], itl: number[]): ConfigRecord {
    const measurements: Measurement[] = test.sequences.flatMap((n, i) => [0.99, 1, 1.01].map((f, rep): Measurement => ({
        kind: "parallel", prompt: `np${n}:pp8+tg4`, rep, metrics: { sequences: n, decodeTps: tps[i]! * f, itlP90Ms: itl[i]! * f }
    })));
    return { ...makeConfig("a"), label: "model a", measurements, parallel: [test] };
}
const run = (id: string, c: ConfigRecord): RunFile => toRunFile({ ...makeRun(), id }, [c]);
const side = (spec: string, file: RunFile): Side => ({ spec, description: spec, runs: [file] });

describe("compare with parallel tests", () => {
    const base = run("r1", config([100, 190, 200], [5, 8, 12]));
    const cand = run("r2", config([100, 190, 360], [5, 8, 9]));
    const c = compareSides(side("base", base), side("cand", cand));

    it("matches levels as rows: each level's aggregate throughput and latency, judged", () => {
        const rows = c.rows.filter((r) => r.metric === "decodeTps").map((r) => `${r.item} ${r.verdict}`);
        expect(rows).toEqual(["np1:pp8+tg4 unchanged", "np2:pp8+tg4 unchanged", "np4:pp8+tg4 improvement"]);
        expect(c.rows.find((r) => r.item === "np4:pp8+tg4" && r.metric === "itlP90Ms")!.verdict).toBe("improvement");
    });

    it("puts each side's knee and latency budget side by side, in text and markdown", () => {
        expect(c.knees).toEqual([{
            machine: expect.any(String), config: "a", label: "model a", test: "par:pp8+tg4",
            baseline: { knee: 2, stillRising: false, overBudget: 4 }, candidate: { knee: 4, stillRising: true, overBudget: null }
        }]);
        expect(kneeLines(c)).toEqual(["model a par:pp8+tg4: knee 2 → 4+ sequences; ITL p90 over budget from 4 → none sequences"]);
        expect(compareSerializers.text(c)).toContain("serving knees (baseline → candidate; + : still rising at the highest level):\n  model a par:pp8+tg4: knee 2 → 4+");
        expect(compareSerializers.md(c)).toContain("Serving knees (baseline → candidate; + : still rising): model a par:pp8+tg4: knee 2 → 4+ sequences");
    });

    it("has no knee lines without parallel tests", () => {
        expect(compareSides(side("b", run("p1", makeConfig("a"))), side("c", run("p2", makeConfig("a")))).knees).toEqual([]);
    });
});
