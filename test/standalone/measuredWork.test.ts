import { expect, test } from "vitest";
import type { ConfigRecord } from "../../runner/results.ts";
import { measuredWorkMs } from "../../runner/stats/measuredWork.ts";

test("measured work adds each prompt's e2e and each test's timed pp and tg parts, nothing else", () => {
    const record = {
        measurements: [
            { kind: "prompt", prompt: "a", rep: 0, metrics: { e2eMs: 100, ttftMs: 20 } },
            { kind: "pp", prompt: "pp512", rep: 0, metrics: { ppMs: 40, prefillTps: 12800 } },
            { kind: "tg", prompt: "tg128", rep: 0, metrics: { tgMs: 60 } },
            { kind: "pg", prompt: "pp512+tg128", rep: 0, metrics: { ppMs: 40, tgMs: 60, pgMs: 100 } }
        ]
    } as unknown as ConfigRecord;
    expect(measuredWorkMs([record, record])).toBe(2 * (100 + 40 + 60 + 100));
});
