/** The shards of one run, one rule for compare's `latest` and the report's summary pages. */
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../runner/results.ts";
import { shardSet } from "../../runner/store/shardSet.ts";
import { machineA, machineB, run } from "./report/handMade.ts";

const part = (id: string, index: number, count: number, opts: Parameters<typeof run>[2] & { sha256?: string } = {}): RunRecord => {
    const r = run(id, "2025-01-01T00:00:00.000Z", opts);
    return { ...r, suite: { ...r.suite, sha256: opts.sha256 ?? r.suite.sha256 }, shard: { index, count } };
};

describe("shardSet", () => {
    it("gathers the newest run of each other part of the same suite file, commit, machine and split", () => {
        const newest = part("s2", 2, 3);
        const newestFirst = [
            newest,
            part("s1-other-machine", 1, 3, { machine: machineB }),
            part("s1-other-commit", 1, 3, { commit: "f".repeat(40) }),
            part("s1-other-suite-file", 1, 3, { sha256: "ef".repeat(32) }),
            part("s1-split-4", 1, 4),
            part("s3", 3, 3),
            part("s1", 1, 3),
            part("s1-older", 1, 3),
            part("s2-older", 2, 3)
        ];
        expect(shardSet(newest, newestFirst).map((r) => r.id)).toEqual(["s2", "s3", "s1"]);
    });

    it("counts a software upgrade on the same machine as the same machine (machineKey)", () => {
        const newest = part("s2", 2, 2);
        expect(shardSet(newest, [newest, part("s1", 1, 2, { machine: { ...machineA, nodeLlamaCpp: "9.9.9" } })]).map((r) => r.id)).toEqual(["s2", "s1"]);
    });

    it("leaves a run of the whole suite alone", () => {
        const whole = run("whole", "2025-01-01T00:00:00.000Z");
        expect(shardSet(whole, [whole, part("s1", 1, 2)]).map((r) => r.id)).toEqual(["whole"]);
        const oneOfOne = part("all", 1, 1);
        expect(shardSet(oneOfOne, [oneOfOne, part("s1", 1, 1)]).map((r) => r.id)).toEqual(["all"]);
    });
});
