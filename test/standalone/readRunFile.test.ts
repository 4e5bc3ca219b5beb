import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { fromRunFile, toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

/** A real schema-1 file: `npm run bench` at commit 5977eb9 (default suite), trimmed to its Q4_0 config. */
const schema1Path = new URL("./fixtures/schema1-run.json", import.meta.url);
const schema1Text = readFileSync(schema1Path, "utf8");
const goodText = runFileText(toRunFile(makeRun(), [makeConfig("c1"), makeConfig("c2")], { baseDir, homeDir }));

/** The good file with `edit` applied to its parsed JSON. */
function edited(edit: (file: any) => void): string {
    const file = JSON.parse(goodText);
    edit(file);
    return JSON.stringify(file, null, 2);
}

function refusal(text: string): string {
    try {
        parseRunFile(text, "results/runs/r.json");
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message.split("\n")).toHaveLength(1);
        return (error as Error).message;
    }
    throw new Error("the file was accepted");
}

describe("reading a schema-1 run file", () => {
    const read = parseRunFile(schema1Text, "schema1-run.json");
    const raw = JSON.parse(schema1Text);

    it("upgrades it: every measurement and metric value kept, what schema 1 did not record left empty", () => {
        expect(read.schema).toBe(1);
        expect(read.ignored).toEqual([]);
        const config = read.file.configs[0]!;
        expect(config.measurements.map((m) => [m.kind, m.prompt, m.rep, m.metrics]))
            .toEqual(raw.configs[0].measurements.map((m: any) => [m.kind, m.prompt, m.rep, m.metrics]));
        expect(config.measurements.every((m) => m.tokenTimesMs === null)).toBe(true);
        expect([config.rssTimeline, config.stderr, config.startedAt, config.finishedAt, read.file.run.shard]).toEqual([[], null, null, null, null]);
        expect([config.startMs, config.loadMs, config.peakRssBytes]).toEqual([raw.configs[0].startMs, raw.configs[0].loadMs, raw.configs[0].peakRssBytes]);
        expect(config.params).toEqual(raw.configs[0].params);
    });

    it("keeps its text warnings as notes and recomputes the summary it keyed `<prompt>.<metric>`", () => {
        const config = read.file.configs[0]!;
        expect(config.warnings[0]).toEqual({ kind: "note", text: raw.configs[0].warnings[0] });
        const records = fromRunFile(read.file).configs[0]!;
        // schema 1 wrote the same numbers under joined keys
        expect(records.summary.explain!.decodeTps).toEqual(raw.configs[0].summary["explain.decodeTps"]);
        expect(records.summary.tg64!.decodeTps).toEqual(raw.configs[0].summary["tg64.decodeTps"]);
    });

    it("reads the oldest schema-1 files, without start and warm-up times or threadsBatch (one count then served both)", () => {
        const old = JSON.parse(schema1Text);
        for (const config of old.configs) {
            delete config.startMs;
            delete config.warmupMs;
            delete config.params.threadsBatch;
        }
        const config = parseRunFile(JSON.stringify(old, null, 2), "old.json").file.configs[0]!;
        expect([config.startMs, config.warmupMs, config.params.threadsBatch]).toEqual([null, null, raw.configs[0].params.threads]);
    });
});

describe("refusing a run file that makes no sense: one line naming the file and the JSON path", () => {
    it("not JSON, or cut short", () => {
        expect(refusal(goodText.slice(0, 500))).toMatch(/^results\/runs\/r\.json: not a run file: invalid JSON at line \d+, column \d+: the text ends early.*\(truncated\?\)$/);
        expect(refusal("")).toMatch(/the file is empty/);
        expect(refusal("[1, 2]")).toBe("results/runs/r.json: (the file): expected a run file (a JSON object with `schema`, `run`, `configs`), got `[1,2]` (array)");
    });

    it("a schema this version does not read", () => {
        expect(refusal(edited((f) => (f.schema = 3)))).toBe("results/runs/r.json: schema: run file schema 3 is newer than this gguf-bench reads (1 to 2): update gguf-bench");
        expect(refusal(edited((f) => (f.schema = "2")))).toBe("results/runs/r.json: schema: expected 1 or 2, got `2` (string)");
    });

    it("a missing key or a value of the wrong type, at its path", () => {
        expect(refusal(edited((f) => delete f.configs[1].measurements))).toBe(
            "results/runs/r.json: configs[1].measurements: expected a list, got nothing (key missing)");
        expect(refusal(edited((f) => (f.configs[0].measurements[2].metrics.decodeTps = "fast")))).toBe(
            "results/runs/r.json: configs[0].measurements[2].metrics.decodeTps: expected a number, got `fast` (string)");
        expect(refusal(edited((f) => (f.configs[0].rssTimeline[1].phase = "lunch")))).toMatch(
            /^results\/runs\/r\.json: configs\[0\]\.rssTimeline\[1\]\.phase: expected one of `idle`, .*, got `lunch` \(string\)$/);
        expect(refusal(edited((f) => (f.run.startedAt = "yesterday")))).toMatch(/run\.startedAt: expected an ISO 8601 UTC time/);
        expect(refusal(edited((f) => (f.configs[0].warnings[0] = { kind: "sunspots" })))).toMatch(
            /configs\[0\]\.warnings\[0\]: expected a warning: an object with a `kind` this gguf-bench knows/);
    });

    it("a config id twice, a measurement twice, token times out of order", () => {
        expect(refusal(edited((f) => (f.configs[1].id = "c1")))).toBe(
            "results/runs/r.json: configs[1].id: config id `c1` is also configs[0]'s: a config appears once per run");
        expect(refusal(edited((f) => (f.configs[0].measurements[1].rep = 0)))).toMatch(/configs\[0\]\.measurements\[1\]: a second measurement of `explain` rep 0/);
        expect(refusal(edited((f) => (f.configs[0].measurements[0].tokenTimesMs = [80, 79])))).toMatch(
            /configs\[0\]\.measurements\[0\]\.tokenTimesMs\[1\]: expected token times in order, got 79 after 80/);
    });

    it("a raw sample edited by hand, which its summary no longer agrees with", () => {
        expect(refusal(edited((f) => (f.configs[0].measurements[0].metrics.decodeTps = 11)))).toMatch(
            /^results\/runs\/r\.json: configs\[0\]\.summary\.explain\.decodeTps\.mean: expected 12\.333333333333334 \(recomputed from the measurements\), got 12: the file no longer agrees with itself \(edited by hand\?\)$/);
        expect(refusal(edited((f) => delete f.configs[0].summary.explain.ttftMs))).toMatch(/configs\[0\]\.summary\.explain\.ttftMs: missing, but the measurements have this metric/);
    });
});

describe("keys this version does not know", () => {
    it("are ignored and listed (a newer gguf-bench may add keys), and the rest read as usual", () => {
        const read = parseRunFile(edited((f) => {
            f.configs[0].energy = { joules: 6.7 };
            f.run.host = "x";
            f.configs[1].measurements[0].energyJ = 3;
        }), "r.json");
        expect(read.ignored).toEqual(["run.host", "configs[0].energy", "configs[1].measurements[0].energyJ"]);
        expect(runFileText(read.file)).toBe(goodText);
    });

    it("are kept in the machine, model and params, which the database stores whole", () => {
        const read = parseRunFile(edited((f) => {
            f.configs[0].params.ubatch = 256;
            f.configs[0].model.clonedFrom = "Qwen/x.gguf";
        }), "r.json");
        expect(read.ignored).toEqual([]);
        expect(read.file.configs[0]!.params).toMatchObject({ ubatch: 256 });
        expect(Object.keys(read.file.configs[0]!.model!).at(-1)).toBe("clonedFrom");
    });
});

describe("keys added to schema 2 after its first files", () => {
    it("are optional: a file without `asked` reads as having asked nothing else", () => {
        const read = parseRunFile(edited((f) => { for (const c of f.configs) delete c.asked; }), "r.json");
        expect(read.file.configs.map((c) => c.asked)).toEqual([{}, {}]);
        expect(read.ignored).toEqual([]);
    });
});
