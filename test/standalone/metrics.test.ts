import { describe, expect, test } from "vitest";
import { batchMetrics, benchTestMetrics, engineMetrics, interTokenGaps, streamMetrics } from "../../runner/stats/metrics.ts";
import { parseEngineTimings } from "../../runner/measure/engineTimings.ts";

describe("streamMetrics", () => {
    test("tokens at 50, 60, 75, 85 ms after submit with 10 prompt tokens", () => {
        const metrics = streamMetrics({ promptTokens: 10, tokenTimesMs: [50, 60, 75, 85], e2eMs: 90, prefillMs: 40 });
        expect(interTokenGaps([50, 60, 75, 85])).toEqual([10, 15, 10]);
        expect(metrics.promptTokens).toBe(10);
        expect(metrics.genTokens).toBe(4);
        expect(metrics.ttftMs).toBe(50);
        expect(metrics.decodeMs).toBe(35);
        expect(metrics.decodeTps).toBeCloseTo((3 / 35) * 1000, 10);
        expect(metrics.itlP50Ms).toBe(10);
        expect(metrics.itlP90Ms).toBeCloseTo(14, 10);
        expect(metrics.itlP99Ms).toBeCloseTo(14.9, 10);
        expect(metrics.e2eMs).toBe(90);
        expect(metrics.prefillMs).toBe(40);
        expect(metrics.prefillTps).toBe(250); // 10 tokens in 40 ms
    });

    test("leaves out what one token or none cannot define, instead of NaN or Infinity", () => {
        const one = streamMetrics({ promptTokens: 5, tokenTimesMs: [20], e2eMs: 25 });
        expect(one).toEqual({ promptTokens: 5, genTokens: 1, e2eMs: 25, ttftMs: 20, decodeMs: 0 });
        const none = streamMetrics({ promptTokens: 5, tokenTimesMs: [], e2eMs: 25 });
        expect(none).toEqual({ promptTokens: 5, genTokens: 0, e2eMs: 25 });
    });
});

test("batchMetrics: e2eTps = genTokens / e2e", () => {
    expect(batchMetrics({ promptTokens: 12, genTokens: 64, e2eMs: 800 })).toEqual({ promptTokens: 12, genTokens: 64, e2eMs: 800, e2eTps: 80 });
});

test("benchTestMetrics follows llama-bench: pp N/ms, tg N/ms, pg (N+M)/(ms of both)", () => {
    expect(benchTestMetrics({ pp: 512, tg: 0, ppMs: 256, depth: 0 })).toEqual({ depth: 0, promptTokens: 512, ppMs: 256, prefillTps: 2000 });
    expect(benchTestMetrics({ pp: 0, tg: 128, tgMs: 1000, depth: 4096 })).toEqual({ depth: 4096, genTokens: 128, tgMs: 1000, decodeTps: 128 });
    const pg = benchTestMetrics({ pp: 64, tg: 16, ppMs: 20, tgMs: 60, depth: 0 });
    expect(pg.pgMs).toBe(80);
    expect(pg.pgTps).toBe(1000); // 80 tokens in 80 ms
    expect(pg.prefillTps).toBe(3200);
    expect(pg.decodeTps).toBeCloseTo(266.667, 3);
});

describe("llama.cpp counters", () => {
    const print = [
        "llama_perf_context_print:        load time =      23.73 ms",
        "llama_perf_context_print: prompt eval time =      54.42 ms /   238 tokens (    0.23 ms per token,  4373.71 tokens per second)",
        "llama_perf_context_print:        eval time =       5.48 ms /    19 runs   (    0.29 ms per token,  3469.69 tokens per second)",
        "llama_perf_context_print:       total time =      87.59 ms /   257 tokens",
        "llama_perf_context_print:    graphs reused =         19"
    ];

    test("parses llama_perf_context_print into prompt-eval and eval counters", () => {
        expect(parseEngineTimings(print)).toEqual({ promptEvalMs: 54.42, promptEvalTokens: 238, evalMs: 5.48, evalRuns: 19 });
        expect(engineMetrics(parseEngineTimings(print))).toEqual({
            enginePrefillTps: (238 / 54.42) * 1000,
            engineDecodeTps: (19 / 5.48) * 1000
        });
    });

    test("a counter llama.cpp printed as max(1, 0) with 0 ms counts as nothing", () => {
        const onlyPrompt = print.map((line) => line.replace("5.48 ms /    19 runs", "0.00 ms /     1 runs"));
        expect(parseEngineTimings(onlyPrompt)?.evalRuns).toBe(0);
        expect(engineMetrics(parseEngineTimings(onlyPrompt))).toEqual({ enginePrefillTps: (238 / 54.42) * 1000 });
        expect(parseEngineTimings(["unrelated"])).toBeUndefined();
    });
});
