import { describe, expect, it } from "vitest";
import { bestThreadRows, fidelityRows, fidelitySummaries, formatFidelity, type FidelityPair } from "../../runner/fidelity/fidelityTable.ts";
import { targetVerdict as verdict } from "../../runner/stats/pairedRatio.ts";

const pair = (test: string, threads: number, llamaBench: number, app: number, engine: number | null = null): FidelityPair =>
    ({ model: "a.gguf", binary: "prebuilt", test, threads, llamaBench, app, engine });

// hand-made pairs; per-pair ratios in the comments
const pairs: FidelityPair[] = [
    // the bimodal machine as measured: 1.27, 1.25, 0.67, 0.76, 0.76, 0.86, 0.98 → median 0.86; 7 pairs → [min, max] at 98.4 %
    ...[1270, 1250, 670, 760, 760, 860, 980].map((app) => pair("pp512", 1, 1000, app)),
    // 0.98, 0.99, 1.00, 1.02, 1.03, 1.04 → median 1.01, [0.98, 1.04] at 96.9 %: clears 97 %;
    // engine on 5 of the 6 pairs: 0.99, 1.00, 1.01, 1.02, 1.04 → median 1.01, [0.99, 1.04] at 93.75 % (5 pairs cannot reach 95 %)
    ...[882, 891, 900, 918, 927, 936].map((app, i) => pair("pp512", 2, 900, app, [891, 900, 909, 918, 936, null][i]!)),
    // 0.80 … 0.90 without 0.85 → median 0.85; 10 pairs → ranks 2..9 = [0.81, 0.89] at 97.9 %: all below 97 %
    ...[80, 81, 82, 83, 84, 86, 87, 88, 89, 90].map((app) => pair("tg128", 1, 100, app))
];

describe("fidelity table", () => {
    it("shows each median ratio with its interval, a verdict against the target, and a legend", () => {
        expect(formatFidelity(pairs, { target: 97 })).toBe([
            "model   binary     test  threads  pairs  llama-bench t/s  runner t/s    runner/llama-bench  runner ≥ 97 %  engine t/s    engine/llama-bench",
            "------  --------  -----  -------  -----  ---------------  ----------  --------------------  -------------  ----------  --------------------",
            "a.gguf  prebuilt  pp512        1      7           1000.0       860.0   86.0 % [67.0–127.0]        unclear",
            "a.gguf  prebuilt  pp512        2      6            900.0       909.0  101.0 % [98.0–104.0]            met       909.0  101.0 % [99.0–104.0]",
            "a.gguf  prebuilt  tg128        1     10            100.0        85.0    85.0 % [81.0–89.0]        not met",
            "[low–high]: distribution-free 95 % confidence interval of the median per-pair ratio (order statistics),",
            "  or the coverage reached with that many pairs: 10 pairs 97.9 % (ranks 2–9), 7 pairs 98.4 % (min–max), 6 pairs 96.9 % (min–max), 5 pairs 93.8 % (min–max; below 95 %, more pairs needed).",
            "runner ≥ 97 %: met = interval's low end ≥ 97 %, not met = its high end < 97 %, unclear = it straddles 97 %, or too few pairs to reach 95 %.",
            "",
            "at each side's best thread count:",
            "model   binary     test  llama-bench best  runner best  runner/llama-bench (round by round)",
            "------  --------  -----  ----------------  -----------  -----------------------------------",
            // llama-bench is best at t=1 (median 1000), the runner at t=2 (909); round k: runner t=2 sample k / llama-bench t=1
            // sample k = 0.882 … 0.936 → median (0.900 + 0.918) / 2, 6 rounds → [min, max]
            "a.gguf  prebuilt  pp512      1000.0 (t=1)  909.0 (t=2)                   90.9 % [88.2–93.6]",
            "a.gguf  prebuilt  tg128       100.0 (t=1)   85.0 (t=1)                   85.0 % [81.0–89.0]"
        ].join("\n"));
    });

    it("moves the verdict with --target", () => {
        // 0.98 ≥ 0.98 → met; at 98.5 the t=2 interval [0.98, 1.04] straddles it; at 90 the tg128 interval [0.81, 0.89] is below it
        expect(fidelityRows(pairs, { target: 98 }).map((row) => row[8])).toEqual(["runner ≥ 98 %", "unclear", "met", "not met"]);
        expect(fidelityRows(pairs, { target: 98.5 }).map((row) => row[8])).toEqual(["runner ≥ 98.5 %", "unclear", "unclear", "not met"]);
        expect(fidelityRows(pairs, { target: 60 }).map((row) => row[8])).toEqual(["runner ≥ 60 %", "met", "met", "met"]);
    });

    it("gives no verdict on one pair and says why", () => {
        const text = formatFidelity([pair("tg128", 4, 50, 49, 50)], { target: 97 });
        expect(text.split("\n").slice(2, 5)).toEqual([
            "a.gguf  prebuilt  tg128        4      1             50.0        49.0  98.0 % [98.0–98.0]        unclear        50.0  100.0 % [100.0–100.0]",
            "[low–high]: distribution-free 95 % confidence interval of the median per-pair ratio (order statistics),",
            "  or the coverage reached with that many pairs: 1 pair 0.0 % (one pair has no spread)."
        ]);
    });

    it("verdict: met at a low end equal to the target, unclear at a high end equal to it", () => {
        const ratio = (low: number, high: number) => ({ pairs: 6, median: (low + high) / 2, interval: { low, high, lowRank: 1, highRank: 6, coverage: 0.96875 } });
        expect(verdict(ratio(0.97, 1.1), 97)).toBe("met");
        expect(verdict(ratio(0.9, 0.97), 97)).toBe("unclear");
        expect(verdict(ratio(0.9, 0.9699), 97)).toBe("not met");
    });

    it("verdict: unclear whenever the pairs are too few for the interval to reach the level, however far off the median", () => {
        const fivePairs = { pairs: 5, median: 0.5, interval: { low: 0.4, high: 0.6, lowRank: 1, highRank: 5, coverage: 0.9375 } };
        expect(verdict(fivePairs, 97)).toBe("unclear");
        expect(verdict(fivePairs, 97, 0.9)).toBe("not met");
    });

    it("summarises each group for --json: medians, intervals as ratios, coverage and verdict", () => {
        const [, atTwo] = fidelitySummaries(pairs, { target: 97 });
        expect(atTwo).toEqual({
            model: "a.gguf", binary: "prebuilt", test: "pp512", threads: 2, pairs: 6, llamaBench: 900, runner: 909, engine: 909,
            runnerRatio: { pairs: 6, median: expect.closeTo(1.01, 12), interval: { low: 0.98, high: 1.04, lowRank: 1, highRank: 6, coverage: 0.96875 } },
            engineRatio: { pairs: 5, median: 1.01, interval: { low: 0.99, high: 1.04, lowRank: 1, highRank: 5, coverage: 0.9375 } },
            verdict: "met"
        });
    });

    it("keeps each engine apart: a local and a prebuilt runner never share a row", () => {
        const both = [...pairs, ...[95, 96, 97, 98, 99, 100].map((app) => ({ ...pair("tg128", 1, 100, app), binary: "local" as const }))];
        const rows = bestThreadRows(both).slice(1).map((row) => [row[1], row[2], row[5]]);
        // local tg128: 0.95 … 1.00 → median 0.975, 6 rounds → [min, max]
        expect(rows).toEqual([["prebuilt", "pp512", "90.9 % [88.2–93.6]"], ["prebuilt", "tg128", "85.0 % [81.0–89.0]"], ["local", "tg128", "97.5 % [95.0–100.0]"]]);
        expect(fidelitySummaries(both, { target: 97 }).map((s) => [s.binary, s.test, s.threads, s.pairs])).toEqual([
            ["prebuilt", "pp512", 1, 7], ["prebuilt", "pp512", 2, 6], ["prebuilt", "tg128", 1, 10], ["local", "tg128", 1, 6]
        ]);
    });
});

describe("the load around the pairs", () => {
    it("is said under the table, lowest to highest, with the pairs on a busy machine counted as bench counts them, and not otherwise", () => {
        const load = (loadAverage: number, othersCpu: number) => ({ loadAverage, cores: 2, othersCpu, steal: 0, throttleEvents: null });
        const loaded = [pair("tg128", 1, 100, 95), pair("tg128", 1, 100, 96)].map((p, i) => ({ ...p, load: load(1.9 + i, i === 0 ? 0.01 : 0.6) }));
        expect(formatFidelity(loaded, { target: 97 })).toContain("load average (1 min) after the pairs: 1.90–2.90, the pairs' own processes included; 1 of 2 pairs on a busy machine");
        expect(formatFidelity([pair("tg128", 1, 100, 95)], { target: 97 })).not.toContain("load average");
    });
});

