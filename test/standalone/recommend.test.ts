import { describe, expect, it } from "vitest";
import type { MachineInfo } from "../../runner/results.ts";
import { defaultConstraints, resolveConstraints, type RecommendConstraints } from "../../runner/recommend/constraints.ts";
import { recommend, type MemoryBudgetOf } from "../../runner/recommend/recommend.ts";
import { family } from "../../runner/recommend/family.ts";
import { InputError } from "../../runner/errors.ts";
import { parseBytes } from "../../runner/format/parseBytes.ts";
import { config, GiB, machine, run } from "./fixtures/recommendRuns.ts";
import type { Measurement } from "../../runner/results.ts";

const noBudget: MemoryBudgetOf = () => null;
const budget = (bytes: number): MemoryBudgetOf => (_m, kind) => ({ bytes, kind, source: "test" });
const rep = (v: number) => [v * 0.98, v, v * 1.02, v * 0.99, v * 1.01, v * 1.005];
const kld = (mean: number) => Array.from({ length: 400 }, (_, i) => mean * (i % 2 === 0 ? 0.9 : 1.1));

describe("recommend", () => {
    it("picks the fastest quant and calls quants whose intervals overlap a tie, named as one", () => {
        const answer = recommend([run("r1", [
            { quant: "F16", decode: rep(40) },
            { quant: "Q8_0", decode: [98, 100, 103, 97, 101, 99] },
            { quant: "Q4_0", decode: [99, 102, 100, 104, 98, 101] }
        ])], defaultConstraints, noBudget).answers;
        expect(answer).toHaveLength(1);
        const [a] = answer;
        expect(a!.picks.map((c) => c.quant).sort()).toEqual(["Q4_0", "Q8_0"]);
        expect(a!.picks[0]!.verdict).toBe("pick");
        expect(a!.picks[1]!.verdict).toBe("tie");
        const f16 = a!.candidates.find((c) => c.quant === "F16")!;
        expect(f16.verdict).toBe("slower");
        expect(f16.reason).toMatch(/^60 % slower/);
        expect(a!.notes.join(" ")).toMatch(/ranks speed and memory only: no quality pass/);
        expect(a!.qualityRanked).toBe(false);
    });

    it("ranks a suite of serving tests only by its one-sequence level, not 'run none'", () => {
        // parallel levels np1 and np4 of each quant; only np1 is one sequence's decode
        const serving = (quant: string, np1: number[], np4: number[]) => {
            const c = config({ quant });
            c.measurements = [
                ...np1.map((v, rep): Measurement => ({ kind: "parallel", prompt: "np1:pp256+tg128", rep, metrics: { sequences: 1, decodeTps: v, prefillTps: 10 * v } })),
                // four sequences: Q8_0 "wins" here, which a one-sequence ranking must not read
                ...np4.map((v, rep): Measurement => ({ kind: "parallel", prompt: "np4:pp256+tg128", rep, metrics: { sequences: 4, decodeTps: v, prefillTps: 10 * v } }))
            ];
            return c;
        };
        const [a] = recommend([{ run: { id: "s", startedAt: "2026-01-01T00:00:00.000Z", machine }, configs: [serving("Q8_0", rep(50), rep(400)), serving("Q4_0", rep(80), rep(300))] }],
            defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q4_0"]);
        expect(a!.picks[0]!.speed).toMatchObject({ source: "np1:pp256+tg128", n: 6 });
        expect(a!.picks[0]!.speed!.median).toBeCloseTo(80 * 1.0025, 6);
    });

    it("does not call a tie when the intervals are apart, and says how much slower the rest is", () => {
        const [a] = recommend([run("r1", [{ quant: "Q8_0", decode: rep(88) }, { quant: "Q4_0", decode: rep(100) }])], defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q4_0"]);
        expect(a!.candidates[1]!.reason).toBe("12 % slower beyond the intervals");
    });

    it("says a difference from one repetition has no interval instead of calling it beyond the intervals", () => {
        const [a] = recommend([run("r1", [{ quant: "Q8_0", decode: [88] }, { quant: "Q4_0", decode: [100] }])], defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q4_0"]);
        expect(a!.candidates[1]!.reason).toBe("12 % slower in a single repetition (no interval: raise `repetitions` to tell it from noise)");
    });

    it("rules out what does not fit the budget with headroom at the measured peak", () => {
        const [a] = recommend([run("r1", [
            { quant: "F16", decode: rep(200), peak: 7.5 * GiB },
            { quant: "Q4_0", decode: rep(100), peak: 3 * GiB }
        ])], defaultConstraints, budget(8 * GiB)).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q4_0"]);
        const f16 = a!.candidates.find((c) => c.quant === "F16")!;
        expect(f16.verdict).toBe("memory");
        expect(f16.reason).toBe("does not fit 8.0 GiB RAM with 10 % headroom (measured peak 7.5 GiB)");
        // without headroom it fits
        const [b] = recommend([run("r1", [{ quant: "F16", decode: rep(200), peak: 7.5 * GiB }])], { ...defaultConstraints, headroom: 0 }, budget(8 * GiB)).answers;
        expect(b!.picks.map((c) => c.quant)).toEqual(["F16"]);
    });

    it("says memory was not checked when the budget is unknown", () => {
        const [a] = recommend([run("r1", [{ quant: "F16", decode: rep(200), peak: 100 * GiB }])], defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["F16"]);
        expect(a!.notes.join(" ")).toMatch(/memory not checked/);
    });

    it("ranks by speed within the KLD bound, and names the better-KLD quant first in a tie", () => {
        const [a] = recommend([run("r1", [
            { quant: "F16", decode: rep(40), kld: kld(0) },
            { quant: "Q8_0", decode: [98, 100, 103, 97, 101, 99], kld: kld(0.0014) },
            { quant: "Q4_K_M", decode: [99, 102, 100, 104, 98, 101], kld: kld(0.031) },
            { quant: "Q2_K", decode: rep(150), kld: kld(0.33) }
        ])], defaultConstraints, noBudget).answers;
        expect(a!.qualityRanked).toBe(true);
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q8_0", "Q4_K_M"]);
        expect(a!.picks[0]!.reason).toMatch(/lower KLD/);
        const q2 = a!.candidates.find((c) => c.quant === "Q2_K")!;
        expect(q2.verdict).toBe("quality");
        expect(q2.reason).toMatch(/^KLD 0\.3300 ± .* is above the 0\.05 nats bound$/);
        const f16 = a!.candidates.find((c) => c.quant === "F16")!;
        expect(f16.reason).toMatch(/60 % slower beyond the intervals; its KLD is better \(0 vs 0\.001400\) but Q8_0 already meets the bound/);
        // a looser bound lets Q2_K win
        const [b] = recommend([run("r1", [{ quant: "Q8_0", decode: rep(100), kld: kld(0.0014) }, { quant: "Q2_K", decode: rep(150), kld: kld(0.33) }])],
            { ...defaultConstraints, maxKld: 0.5 }, noBudget).answers;
        expect(b!.picks.map((c) => c.quant)).toEqual(["Q2_K"]);
        expect(b!.candidates[1]!.reason).toMatch(/33 % slower beyond the intervals; its KLD is better/);
    });

    it("refuses a quant without a quality figure when its family is ranked on quality", () => {
        const [a] = recommend([run("r1", [{ quant: "Q8_0", decode: rep(100), kld: kld(0.001) }, { quant: "Q4_0", decode: rep(200) }])], defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q8_0"]);
        expect(a!.candidates[1]!.reason).toMatch(/no quality figure against the reference/);
    });

    it("answers a family of one quant, and says so when nothing qualifies", () => {
        const [a] = recommend([run("r1", [{ quant: "Q4_0", decode: rep(100) }])], defaultConstraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q4_0"]);
        expect(a!.picks[0]!.reason).toBe("fastest that meets every constraint");
        const [b] = recommend([run("r1", [{ quant: "Q4_0", decode: rep(100), peak: 9 * GiB }])], defaultConstraints, budget(8 * GiB)).answers;
        expect(b!.picks).toEqual([]);
        expect(b!.candidates[0]!.verdict).toBe("memory");
    });

    it("answers each machine and each family apart, from the newest run of each config", () => {
        const other: MachineInfo = { ...machine, cpu: "Other CPU", cores: 2 };
        const answers = recommend([
            run("old", [{ quant: "Q4_0", decode: rep(300) }, { quant: "Q8_0", decode: rep(100) }], machine, "2026-01-01T00:00:00.000Z"),
            run("new", [{ quant: "Q4_0", decode: rep(50) }], machine, "2026-01-02T00:00:00.000Z"),
            run("laptop", [{ quant: "Q4_0", decode: rep(10) }, { quant: "Q8_0", decode: rep(20) }], other),
            run("qwen", [{ quant: "Q4_0", decode: rep(10), arch: "qwen2", parameters: 1.5e9 }], machine)
        ], defaultConstraints, noBudget).answers;
        expect(answers).toHaveLength(3);
        const here = answers.find((a) => a.machineInfo.cpu === "Test CPU" && a.family === "model")!;
        expect(here.picks.map((c) => c.quant)).toEqual(["Q8_0"]); // the newer Q4_0 run (50) replaces the older (300)
        expect(here.runIds).toEqual(["old", "new"]);
        const laptop = answers.find((a) => a.machineInfo.cpu === "Other CPU")!;
        expect(laptop.picks.map((c) => c.quant)).toEqual(["Q8_0"]);
        expect(answers.filter((a) => a.machineInfo.cpu === "Test CPU")).toHaveLength(2); // llama 8B and qwen2 1.5B, same file names
    });

    it("applies speed floors and says which config did not run", () => {
        const [a] = recommend([run("r1", [
            { quant: "Q4_0", decode: rep(100), prefill: [50, 50, 50] },
            { quant: "Q8_0", decode: rep(80), prefill: rep(500) },
            { quant: "F16", status: "crashed" }
        ])], { ...defaultConstraints, minPrefillTps: 100 }, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q8_0"]);
        expect(a!.candidates.find((c) => c.quant === "Q4_0")!.reason).toBe("prefill 50.0 tok/s is below the 100 tok/s floor");
        expect(a!.candidates.find((c) => c.quant === "F16")!.reason).toBe("did not run (crashed: killed by SIGKILL)");
    });

    it("ranks end to end by one request's seconds from prefill and decode", () => {
        const constraints: RecommendConstraints = { ...defaultConstraints, objective: "e2e", promptTokens: 1000, answerTokens: 100 };
        const [a] = recommend([run("r1", [
            { quant: "Q4_0", decode: rep(100), prefill: rep(100) }, // 10 s + 1 s
            { quant: "Q8_0", decode: rep(50), prefill: rep(1000) } // 1 s + 2 s
        ])], constraints, noBudget).answers;
        expect(a!.picks.map((c) => c.quant)).toEqual(["Q8_0"]);
        expect(a!.picks[0]!.speed!.median).toBeCloseTo(3, 1);
        expect(a!.picks[0]!.speed!.unit).toBe("s");
        expect(a!.candidates[1]!.reason).toMatch(/^267 % longer per request/);
    });
});

describe("recommend constraints", () => {
    it("reads sizes and refuses bad values with the key's name", () => {
        expect(parseBytes("8GiB")).toBe(8 * GiB);
        expect(parseBytes("512 MB")).toBe(512e6);
        expect(parseBytes("8 parsecs")).toBeNull();
        expect(resolveConstraints({ memory: "8G", headroom: 20, objective: "prefill" })).toMatchObject({ memoryBytes: 8 * GiB, headroom: 0.2, objective: "prefill" });
        expect(() => resolveConstraints({ memory: "lots" }, defaultConstraints, (k) => `--${k}`)).toThrow(InputError);
        expect(() => resolveConstraints({ memory: "lots" }, defaultConstraints, (k) => `--${k}`)).toThrow(/^--memory: expected a size/);
        expect(() => resolveConstraints({ objective: "fun" })).toThrow(/objective: expected `decode`, `prefill`, `e2e`, got `fun`/);
        expect(() => resolveConstraints({ maxPplRatio: 0.9 })).toThrow(/maxPplRatio: expected a ratio >= 1/);
    });

    it("groups quants of one base model into one family", () => {
        const model = (file: string, quant: string) => ({ source: "path" as const, file, path: file, sha256: "", sizeBytes: 1, quant, arch: "llama", parameters: 8e9 });
        expect(family(model("Meta-Llama-3-8B-Q4_K_M.gguf", "Q4_K_M"), "x").key).toBe(family(model("Meta-Llama-3-8B-Q8_0.gguf", "Q8_0"), "y").key);
        expect(family(model("Meta-Llama-3-8B-Q4_K_M.gguf", "Q4_K_M"), "x").name).toBe("Meta-Llama-3-8B");
        expect(family({ ...model("a-Q4_0.gguf", "Q4_0"), parameters: 1e9 }, "x").key).not.toBe(family(model("a-Q4_0.gguf", "Q4_0"), "x").key);
    });
});
