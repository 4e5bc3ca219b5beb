import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigRecord } from "../../runner/results.ts";
import { fromRunFile, portablePath, toRunFile } from "../../runner/store/runFile.ts";
import { writeRunFile } from "../../runner/store/writeRunFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { parseRunFile } from "../../runner/store/readRunFile.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";

const options = { baseDir, homeDir };

describe("the schema-2 run file", () => {
    const text = runFileText(toRunFile(makeRun(), [makeConfig("c1"), makeConfig("c2")], options));
    const file = JSON.parse(text);

    it("writes every object's keys in the documented order", () => {
        expect(Object.keys(file)).toEqual(["schema", "run", "configs"]);
        expect(file.schema).toBe(2);
        expect(Object.keys(file.run)).toEqual(["id", "suite", "startedAt", "finishedAt", "status", "git", "machine", "shard"]);
        expect(Object.keys(file.run.machine)).toEqual(["os", "arch", "cpu", "cores", "memoryBytes", "node", "nodeLlamaCpp", "llamaCpp", "backend", "gpus"]);
        const config = file.configs[0];
        expect(Object.keys(config)).toEqual([
            "id", "label", "status", "error", "model", "params", "asked", "startedAt", "finishedAt", "startMs", "loadMs", "warmupMs",
            "peakRssBytes", "vramBytes", "measurements", "summary", "quality", "outputs", "warnings", "rssTimeline", "stderr", "machineLoad"
        ]);
        expect(Object.keys(config.model)).toEqual(["source", "repo", "file", "path", "sha256", "sizeBytes", "quant", "arch", "parameters"]);
        expect(Object.keys(config.params)).toEqual(Object.keys(defaultSettings));
        expect(config.asked).toEqual({ threads: "auto", threadsBatch: "auto" });
        expect(Object.keys(config.asked)).toEqual(["threads", "threadsBatch"]);
        expect(Object.keys(config.measurements[0])).toEqual(["kind", "prompt", "rep", "metrics", "tokenTimesMs"]);
        expect(Object.keys(config.measurements[0].metrics)).toEqual(["decodeTps", "e2eMs", "ttftMs"]);
        expect(Object.keys(config.summary)).toEqual(["explain", "tg128"]);
        expect(Object.keys(config.summary.explain.decodeTps)).toEqual(["n", "mean", "sd", "median", "min", "max"]);
        expect(Object.keys(config.warnings[0])).toEqual(["kind", "metric", "prompt", "variation"]);
    });

    it("holds every raw sample: token times, the RSS timeline, stderr, both thread counts, config start and end", () => {
        const config = file.configs[0];
        expect(config.measurements.map((m: { tokenTimesMs: number[] | null }) => m.tokenTimesMs)).toEqual([[80, 180.125], [82, 170.0000001], [78, 160], null]);
        expect(config.rssTimeline).toEqual([{ t: 0, bytes: 1_000_000, phase: "load" }, { t: 25.5, bytes: 300_000_000, phase: "decode" }]);
        expect(config.stderr).toBe("some llama.cpp log");
        expect([config.params.threads, config.params.threadsBatch]).toEqual([1, 2]);
        expect([config.startedAt, config.finishedAt, config.startMs, config.warmupMs]).toEqual(["2025-01-02T03:04:06.000Z", "2025-01-02T03:05:06.000Z", 1150.5, 480]);
        expect(config.warnings).toEqual([
            { kind: "highVariance", metric: "decodeTps", prompt: "explain", variation: 1 / 6 },
            { kind: "llamaCpp", message: "n_ctx < n_ctx_train" }
        ]);
    });

    it("recomputes the summary from the measurements it writes", () => {
        // 10, 12, 14 → mean 12, sd 2; 80, 82, 78 → mean 80, sd 2, median 80
        expect(file.configs[0].summary.explain.decodeTps).toEqual({ n: 3, mean: 12, sd: 2, median: 12, min: 10, max: 14 });
        expect(file.configs[0].summary.explain.ttftMs).toEqual({ n: 3, mean: 80, sd: 2, median: 80, min: 78, max: 82 });
    });

    it("lays out plain lists and mappings on one line, except those read key by key", () => {
        expect(text).toContain('\n          "metrics": { "decodeTps": 10, "e2eMs": 1000, "ttftMs": 80 },\n          "tokenTimesMs": [80, 180.125]\n');
        expect(text).toContain('\n        { "t": 25.5, "bytes": 300000000, "phase": "decode" }\n');
        expect(text).toContain('\n          "decodeTps": { "n": 3, "mean": 12, "sd": 2, "median": 12, "min": 10, "max": 14 },\n');
        expect(text).toContain('\n      "params": {\n        "repetitions": 3,\n');
        expect(text).toContain('\n      "outputs": {\n        "explain": "Qubits…\\n\\u001b[31m"\n      },\n');
        expect(text).toContain('\n      "gpus": ["NVIDIA H100"]\n');
        expect(text.startsWith('{\n  "schema": 2,\n  "run": {\n    "id"')).toBe(true);
        expect(text.endsWith("}\n") && !text.endsWith("\n\n")).toBe(true);
    });

    it("writes no machine-specific absolute paths", () => {
        expect(file.run.suite.path).toBe("suites/qwen.yaml");
        expect(file.configs[0].model.path).toBe("~/.cache/huggingface/hub/models--Qwen/q4_k_m.gguf");
        expect(text).not.toContain(homeDir);
    });

    it("writes the same bytes for the run read back from the database, and from the file itself", () => {
        const store = Store.open(":memory:");
        store.createRun(makeRun());
        store.saveConfig(makeRun().id, makeConfig("c1"));
        store.saveConfig(makeRun().id, makeConfig("c2"));
        const got = store.getRun("latest")!;
        store.close();
        expect(runFileText(toRunFile(got.run, got.configs, options))).toBe(text);

        const read = parseRunFile(text, "x.json");
        expect(read).toMatchObject({ schema: 2, ignored: [] });
        expect(runFileText(read.file)).toBe(text);
        const records = fromRunFile(read.file);
        expect(runFileText(toRunFile(records.run, records.configs, options))).toBe(text);
    });

    it("keeps a fixed shape for a config that never loaded", () => {
        const crashed: ConfigRecord = { ...makeConfig("c3"), status: "crashed", error: "SIGKILL (out of memory?)", model: null,
            startMs: null, loadMs: null, warmupMs: null, peakRssBytes: null, vramBytes: null, measurements: [], outputs: {}, warnings: [], rssTimeline: [] };
        const config = JSON.parse(runFileText(toRunFile(makeRun(), [crashed], options))).configs[0];
        expect(config).toMatchObject({ status: "crashed", error: "SIGKILL (out of memory?)", model: null, startMs: null, loadMs: null, warmupMs: null, summary: {}, stderr: "some llama.cpp log" });
        expect(Object.keys(config)).toHaveLength(22);
        expect(config.quality).toBeNull();
    });
});

describe("portablePath", () => {
    it("is relative inside the base folder, ~/ inside home, unchanged elsewhere", () => {
        expect(portablePath("/home/ada/gguf-bench/suites/a.yaml", baseDir, homeDir)).toBe("suites/a.yaml");
        expect(portablePath("/home/ada/gguf-bench-other/a.yaml", baseDir, homeDir)).toBe("~/gguf-bench-other/a.yaml");
        expect(portablePath("/opt/models/x.gguf", baseDir, homeDir)).toBe("/opt/models/x.gguf");
        expect(portablePath("suites/a.yaml", baseDir, homeDir)).toBe("suites/a.yaml");
    });
});

describe("writeRunFile", () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "gguf-bench-runfile-")); });
    afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

    it("writes <dir>/<run-id>.json, creating the folder, byte for byte the same on a rewrite, no temp file left", async () => {
        const runs = join(dir, "results", "runs");
        const run = makeRun();
        const first = await writeRunFile(runs, run, [makeConfig("c1")], options);
        expect(first).toBe(join(runs, `${run.id}.json`));
        const bytes = readFileSync(first);
        expect(bytes.toString("utf8")).toBe(runFileText(toRunFile(run, [makeConfig("c1")], options)));

        const second = await writeRunFile(runs, run, [makeConfig("c1")], options);
        expect(second).toBe(first);
        expect(readFileSync(second).equals(bytes)).toBe(true);
        expect(readdirSync(runs)).toEqual([`${run.id}.json`]);
    });

    it("refuses a run id that is not a plain file name", async () => {
        await expect(writeRunFile(dir, { ...makeRun(), id: "../escape" }, [])).rejects.toThrow(/file name/);
        expect(readdirSync(dir)).toEqual([]);
    });
});
