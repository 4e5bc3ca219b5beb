import { expect, test } from "vitest";
import { warningLines } from "../../runner/cli/warningLines.ts";
import type { ConfigRecord } from "../../runner/results.ts";
import { warningText, type Warning } from "../../runner/warnings.ts";

const record = (label: string, warnings: Warning[]) => ({ label, warnings }) as unknown as ConfigRecord;
const oversubscribed: Warning = { kind: "threadsOversubscribed", threads: 2, logicalCores: 2 };

test("the same warning from several configs is shown once with the count, variance folds into one line naming the worst", () => {
    const lines = warningLines([
        record("a", [oversubscribed, { kind: "highVariance", prompt: "explain", metric: "decodeTps", variation: 0.18 }]),
        record("b", [oversubscribed, { kind: "highVariance", prompt: "story.v2", metric: "ttftMs", variation: 0.61 }]),
        record("c", [{ kind: "firstRunSlow", prompt: "explain", metric: "e2eMs", ratio: 2.14 }])
    ]);
    expect(lines).toEqual([
        `2 configs (a, …): ${warningText(oversubscribed)}`,
        "c: explain: the first run took 2.1× the median of the rest: raise `warmup`",
        // the prompt id holds a dot: the worst is named from the typed warning, not split back out of a sentence
        "2 figure(s) vary more than 10 % (sd/mean), worst b story.v2.ttftMs 61 %: close other programs, or raise `repetitions`"
    ]);
});

test("a warning kept as text (schema-1 files) is shown as it was", () => {
    expect(warningLines([record("a", [{ kind: "note", text: "something odd" }])])).toEqual(["a: something odd"]);
});

test("no warnings, no lines", () => {
    expect(warningLines([record("a", [])])).toEqual([]);
});

test("each kind has its sentence with the advice", () => {
    expect(warningText(oversubscribed)).toBe(
        "threads=2 on 2 logical cores leaves none for Node's event loop: on small models decode can stall when llama.cpp's spinning workers get preempted; compare with threads: 1, which threads: auto picks");
    expect(warningText({ kind: "highVariance", prompt: "explain", metric: "decodeTps", variation: 0.174 }))
        .toBe("explain.decodeTps varies 17 % (sd/mean): close other programs, or raise `repetitions`");
    expect(warningText({ kind: "llamaCpp", message: "n_ctx_per_seq < n_ctx_train" })).toBe("llama.cpp: n_ctx_per_seq < n_ctx_train");
    expect(warningText({ kind: "batchCapped", batch: 512, context: 256 })).toBe("batch 512 > context 256: batch capped to 256");
});
