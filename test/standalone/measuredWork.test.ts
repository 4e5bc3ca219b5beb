import { expect, test } from "vitest";
import type { ConfigRecord } from "../../runner/results.ts";
import { formatWorkAccount, measuredWorkMs, workAccount } from "../../runner/stats/measuredWork.ts";

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

test("the work account splits model work (load, warm-up, measured) from child start; the line adds up to the wall", () => {
    const ok = {
        startMs: 1200, loadMs: 300, warmupMs: 150,
        measurements: [{ kind: "prompt", prompt: "a", rep: 0, metrics: { e2eMs: 500 } }]
    } as unknown as ConfigRecord;
    // a config that failed in load: it started, loaded nothing measurable
    const failed = { startMs: 1000, loadMs: null, warmupMs: null, measurements: [] } as unknown as ConfigRecord;
    // never got ready (start timeout): no start recorded
    const neverReady = { startMs: null, loadMs: null, warmupMs: null, measurements: [] } as unknown as ConfigRecord;
    const account = workAccount([ok, failed, neverReady]);
    expect(account).toEqual({ children: 2, startMs: 2200, loadMs: 300, warmupMs: 150, measuredMs: 500, qualityMs: 0, referenceMs: 0, modelWorkMs: 950 });
    const ms = (x: number) => `${x} ms`;
    expect(formatWorkAccount(3800, account, ms)).toBe(
        "wall 3800 ms = 4.00 × model work 950 ms (load 300 ms, warm-up 150 ms, measured 500 ms); child start 2200 ms over 2 children; storage and the rest 650 ms"
    );
    expect(formatWorkAccount(10, workAccount([]), ms)).toBe(
        "wall 10 ms = model work 0 ms (load 0 ms, warm-up 0 ms, measured 0 ms); child start 0 ms over 0 children; storage and the rest 10 ms"
    );
});

test("quality passes and the references a run computed count as model work, and the line names them", () => {
    const record = {
        startMs: 1000, loadMs: 200, warmupMs: 0, measurements: [],
        quality: { ms: 700 }
    } as unknown as ConfigRecord;
    const account = workAccount([record], 900);
    expect(account).toMatchObject({ qualityMs: 700, referenceMs: 900, modelWorkMs: 200 + 700 + 900 });
    expect(formatWorkAccount(4000, account, (x) => `${x} ms`)).toBe(
        "wall 4000 ms = 2.22 × model work 1800 ms (load 200 ms, warm-up 0 ms, measured 0 ms, quality 700 ms, references 900 ms); child start 1000 ms over 1 child; storage and the rest 1200 ms"
    );
});
