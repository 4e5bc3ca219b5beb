/**
 * Run files from someone else: ids and metric names that are Object.prototype's own names, files the reader accepted
 * once and refused forever, values whose mean overflows, ids that become paths and URLs, links and FIFOs, text that is
 * not JSON. The rule: what `db import` accepts, `db show --format json` exports byte-identically; what it refuses is
 * one line that quotes nothing of a file that is not JSON.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../runner/cli/main.ts";
import type { ConfigRecord } from "../../runner/results.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { fromRunFile, toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-hostile-runs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A command in this process: exit code, what it printed on stdout, the error lines. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; errors: string[] }> {
    const errors: string[] = [];
    let out = "";
    const spies = [
        vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void (out += parts.join(" ") + "\n")),
        vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true))
    ];
    try {
        const code = await main(argv, (line) => errors.push(line));
        return { code, out, errors };
    } finally {
        for (const spy of spies) spy.mockRestore();
    }
}

/** A config whose prompt and metric names are Object.prototype's. */
function protoConfig(): ConfigRecord {
    const config = makeConfig("c1");
    const metrics = (v: number) => JSON.parse(`{"__proto__": ${v}, "constructor": ${v + 1}, "decodeTps": ${v + 2}}`) as Record<string, number>;
    config.measurements = [0, 1].map((rep) => ({ kind: "prompt" as const, prompt: "__proto__", rep, metrics: metrics(10 + rep) }));
    config.measurements.push({ kind: "prompt", prompt: "constructor", rep: 0, metrics: metrics(20) });
    config.outputs = JSON.parse(`{"__proto__": "text one", "constructor": "text two"}`) as Record<string, string>;
    config.warnings = [];
    return config;
}

const opts = { baseDir, homeDir };

describe("`__proto__` and `constructor` are ids like any other", () => {
    it("summaries keep them", () => {
        const summary = summarizeMeasurements(protoConfig().measurements);
        expect(Object.keys(summary)).toEqual(["__proto__", "constructor"]);
        expect(Object.keys(summary["__proto__"]!)).toEqual(["__proto__", "constructor", "decodeTps"]);
        expect(summary["__proto__"]!["__proto__"]).toMatchObject({ n: 2, mean: 10.5 });
    });

    it("the run file, the database and back: the same bytes", () => {
        const text = runFileText(toRunFile(makeRun(), [protoConfig()], opts));
        expect(text).toContain("\"__proto__\": \"text one\"");
        const read = parseRunFile(text, "r.json");
        const store = Store.open(":memory:");
        const { run, configs } = fromRunFile(read.file);
        store.createRun(run);
        for (const config of configs) store.saveConfig(run.id, config);
        const back = store.getRun(run.id)!;
        store.close();
        expect(Object.keys(back.configs[0]!.measurements[0]!.metrics)).toEqual(["__proto__", "constructor", "decodeTps"]);
        expect(runFileText(toRunFile(back.run, back.configs, opts))).toBe(text);
    });

    it("a command named `constructor` or `__proto__` is an unknown command, not a crash", async () => {
        for (const name of ["constructor", "__proto__", "toString"]) {
            const { code, errors } = await cli(name);
            expect(code).toBe(2);
            expect(errors).toEqual([expect.stringMatching(new RegExp(`unknown command \`${name}\``))]);
        }
    });
});

describe("a suite refuses prompt ids that would merge with a test or the quality pass", () => {
    const suite = (id: string) => {
        writeFileSync(path.join(dir, "s.yaml"), `name: s\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - { id: "${id}", text: hi }\ntests: [{ pp: 512 }]\n`);
        return () => parseSuite(path.join(dir, "s.yaml"));
    };
    it.each(["quality", "pp512", "tg128", "Quality", "PP64"])("`%s` → refused, naming prompts[0].id", (id) => {
        expect(suite(id)).toThrow(/prompts\[0\]\.id: expected a prompt id that is not `quality` .* nor shaped like a test id/);
    });
    it("`__proto__` and `explain` are fine", () => {
        expect(suite("__proto__")().prompts[0]!.id).toBe("__proto__");
        expect(suite("explain")().prompts[0]!.id).toBe("explain");
    });
});

describe("what db import accepts, db show --format json exports byte-identically", () => {
    const good = () => JSON.parse(runFileText(toRunFile(makeRun(), [makeConfig("c1")], opts)));
    const put = (name: string, file: unknown) => {
        mkdirSync(path.join(dir, "runs"), { recursive: true });
        writeFileSync(path.join(dir, "runs", name), typeof file === "string" ? file : JSON.stringify(file, null, 2));
    };
    const db = () => path.join(dir, "bench.db");

    it("a file imported, shown as JSON, and imported again: the same bytes, and the same run", async () => {
        const text = runFileText(toRunFile(makeRun(), [protoConfig(), makeConfig("c2")], opts));
        put("a.json", text);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).code).toBe(0);
        const shown = await cli("db", "show", makeRun().id, "--format", "json", "--db", db());
        expect(shown.code).toBe(0);
        expect(shown.out).toBe(text);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).code).toBe(0);
    });

    it("`summary: {}` beside measurements is refused at once (it was accepted once, then refused on every later import)", async () => {
        const file = good();
        file.configs[0].summary = {};
        put("a.json", file);
        const first = await cli("db", "import", "--db", db(), path.join(dir, "runs"));
        expect(first.code).toBe(2);
        expect(first.errors[0]).toMatch(/a\.json: configs\[0\]\.summary\.explain\.decodeTps: missing, but the measurements have this metric/);
    });

    it("values near the top of the double range (their mean overflows) are refused, naming the metric", async () => {
        const file = good();
        for (const m of file.configs[0].measurements) if (m.prompt === "explain") m.metrics.e2eMs = 1.7e308;
        put("a.json", file);
        const { code, errors } = await cli("db", "import", "--db", db(), path.join(dir, "runs"));
        expect(code).toBe(2);
        expect(errors[0]).toMatch(/configs\[0\]\.measurements\[0\]\.metrics\.e2eMs: values so large that their mean or spread overflows/);
    });

    it.each([[".", "."], ["..", ".."], ["NUL", "a\u0000b"], ["a slash", "a/b"], ["a space", "a b"]])("a config id of %s is refused on reading", async (_name, id) => {
        const file = good();
        file.configs[0].id = id;
        put("a.json", file);
        const { code, errors } = await cli("db", "import", "--db", db(), path.join(dir, "runs"));
        expect(code).toBe(2);
        expect(errors[0]).toMatch(/configs\[0\]\.id: expected a config id usable in a file name and a URL/);
    });

    it("a shard count of a billion is refused on reading", async () => {
        const file = good();
        file.run.shard = { index: 1, count: 1e9 };
        put("a.json", file);
        const { code, errors } = await cli("db", "import", "--db", db(), path.join(dir, "runs"));
        expect(code).toBe(2);
        expect(errors[0]).toMatch(/run\.shard\.count: expected .*10000/);
    });

    it("a prompt measured under a test's name, or as `quality`, is refused", async () => {
        const file = good();
        file.configs[0].measurements[0].prompt = "tg128";
        put("a.json", file);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).errors[0]).toMatch(/measurements\[0\]\.prompt: expected a prompt id that is not `quality` nor shaped like a test id, got `tg128`/);
        // a parallel test's level id (issue 21) names that level's measurements of kind `parallel`
        const level = good();
        level.configs[0].measurements[0].prompt = "np4:pp256+tg128";
        put("a.json", level);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).errors[0]).toMatch(/measurements\[0\]\.prompt: expected a prompt id that is not `quality` nor shaped like a test id, got `np4:pp256\+tg128`/);
        const mixed = good();
        mixed.configs[0].measurements[3].prompt = "explain";
        mixed.configs[0].measurements[3].rep = 7;
        put("a.json", mixed);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).errors[0]).toMatch(/measurements\[3\]\.kind: `explain` is measured as `prompt` and as `tg`/);
        const q = good();
        for (const m of q.configs[0].measurements) if (m.prompt === "explain") m.prompt = "quality";
        q.configs[0].outputs = { quality: "x" };
        put("a.json", q);
        expect((await cli("db", "import", "--db", db(), path.join(dir, "runs"))).errors[0]).toMatch(/measurements\[0\]\.prompt: expected a prompt id that is not `quality`/);
    });
});

describe("links, FIFOs and text that is not JSON", () => {
    const runs = () => path.join(dir, "runs");
    beforeEach(() => mkdirSync(path.join(dir, "runs")));

    it("a link in the results folder is refused, naming it; its target is not read", async () => {
        writeFileSync(path.join(dir, "secret.txt"), "root:x:0:0:SECRET-CONTENT\n");
        symlinkSync(path.join(dir, "secret.txt"), path.join(runs(), "a.json"));
        for (const argv of [["db", "import", "--db", path.join(dir, "bench.db"), runs()], ["db", "show", path.join(runs(), "a.json")], ["compare", runs(), runs()]]) {
            const { code, errors } = await cli(...argv);
            expect(code, argv.join(" ")).toBe(2);
            expect(errors).toHaveLength(1);
            expect(errors[0]).toMatch(/a\.json: not a run file: a (symbolic link|regular file)/);
            expect(errors[0]).not.toContain("SECRET");
        }
    });

    it("a FIFO named *.json is refused at once (no hang), in a folder and named alone", async () => {
        execFileSync("mkfifo", [path.join(runs(), "a.json")]);
        for (const argv of [["db", "import", "--db", path.join(dir, "bench.db"), runs()], ["db", "show", path.join(runs(), "a.json")], ["db", "import", "--db", path.join(dir, "bench.db"), path.join(runs(), "a.json")]]) {
            const { code, errors } = await cli(...argv);
            expect(code, argv.join(" ")).toBe(2);
            expect(errors[0]).toMatch(/a\.json: not a run file: a FIFO \(named pipe\)/);
        }
    });

    it("a file that is not JSON: where it broke, never what it held", async () => {
        writeFileSync(path.join(runs(), "a.json"), "root:x:0:0:SECRET-CONTENT:/root:/bin/bash\n");
        const { code, errors } = await cli("db", "show", path.join(runs(), "a.json"));
        expect(code).toBe(2);
        expect(errors).toEqual([expect.stringMatching(/a\.json: not a run file: invalid JSON at line 1, column 1: expected a value \(an unexpected character\)$/)]);
        expect(errors[0]).not.toContain("SECRET");
        expect(errors[0]).not.toContain("root");
    });

    it("JSON nested 100 000 levels deep: refused, no stack overflow", async () => {
        writeFileSync(path.join(runs(), "a.json"), `{"schema": 2, "run": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
        const { code, errors } = await cli("db", "import", "--db", path.join(dir, "bench.db"), runs());
        expect(code).toBe(2);
        expect(errors[0]).toMatch(/a\.json: not a run file: invalid JSON at line 1, column \d+: nesting deeper than 32 levels$/);
        expect(readFileSync(path.join(runs(), "a.json"), "utf8")).toHaveLength(200_022);
    });
});
