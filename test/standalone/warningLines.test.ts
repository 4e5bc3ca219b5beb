import { expect, test } from "vitest";
import { warningLines } from "../../runner/cli/warningLines.ts";
import type { ConfigRecord } from "../../runner/results.ts";

const record = (label: string, warnings: string[]) => ({ label, warnings }) as unknown as ConfigRecord;

test("the same warning from several configs is shown once with the count, variance folds into one line naming the worst", () => {
    const lines = warningLines([
        record("a", ["threads=2 on 2 logical cores …", "explain.decodeTps varies 18 % (sd/mean): close other programs, or raise `repetitions`"]),
        record("b", ["threads=2 on 2 logical cores …", "story.ttftMs varies 61 % (sd/mean): close other programs, or raise `repetitions`"]),
        record("c", ["explain: the first run took 2.1× the median of the rest: raise `warmup`"])
    ]);
    expect(lines).toEqual([
        "2 configs (a, …): threads=2 on 2 logical cores …",
        "c: explain: the first run took 2.1× the median of the rest: raise `warmup`",
        "2 figure(s) vary more than 10 % (sd/mean), worst b story.ttftMs 61 %: close other programs, or raise `repetitions`"
    ]);
});

test("no warnings, no lines", () => {
    expect(warningLines([record("a", [])])).toEqual([]);
});
