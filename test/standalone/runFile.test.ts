import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigRecord, RunRecord } from "../../runner/results.ts";
import { portablePath, runFileJson, writeRunFile } from "../../runner/store/runFile.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const baseDir = "/home/ada/gguf-bench";
const homeDir = "/home/ada";

function makeRun(): RunRecord {
    return {
        id: "2025-01-02T03-04-05Z-abc123",
        suite: { name: "qwen-quants", path: `${baseDir}/suites/qwen.yaml`, sha256: "ab".repeat(32) },
        startedAt: "2025-01-02T03:04:05.000Z",
        finishedAt: "2025-01-02T03:10:00.000Z",
        status: "completed",
        git: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: true },
        // keys deliberately not in the documented order
        machine: {
            gpus: ["NVIDIA H100"], backend: "cuda", llamaCpp: "b6000", nodeLlamaCpp: "3.22.1", node: "v20.19.0",
            memoryBytes: 8 * 2 ** 30, cores: 2, cpu: "Test CPU", arch: "x64", os: "linux 6.8"
        }
    };
}

function makeConfig(id: string): ConfigRecord {
    return {
        id,
        label: `qwen Q4_K_M ${id}`,
        status: "ok",
        error: null,
        model: {
            parameters: 1_500_000_000, arch: "qwen2", quant: "Q4_K_M", sizeBytes: 1_000_000, sha256: "cd".repeat(32),
            path: `${homeDir}/.cache/huggingface/hub/models--Qwen/q4_k_m.gguf`, file: "q4_k_m.gguf",
            repo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF", source: "hf"
        },
        // reversed key order: the run file must put them back in defaultSettings order
        params: Object.fromEntries(Object.entries({ ...defaultSettings, threads: 1 }).reverse()) as unknown as ConfigRecord["params"],
        startMs: 1150.5,
        loadMs: 250,
        warmupMs: 480,
        peakRssBytes: 300_000_000,
        vramBytes: 1_100_000_000,
        measurements: [
            { kind: "prompt", prompt: "explain", rep: 0, metrics: { ttftMs: 80, decodeTps: 10, e2eMs: 1000 }, tokenTimesMs: [80, 180] },
            { kind: "prompt", prompt: "explain", rep: 1, metrics: { ttftMs: 82, decodeTps: 12, e2eMs: 1010 }, tokenTimesMs: [82, 170] },
            { kind: "prompt", prompt: "explain", rep: 2, metrics: { ttftMs: 78, decodeTps: 14, e2eMs: 990 }, tokenTimesMs: [78, 160] }
        ],
        // stale on purpose: the run file recomputes it from the measurements
        summary: { explain: { decodeTps: { n: 99, mean: 0, sd: 0, median: 0, min: 0, max: 0 } } },
        outputs: { explain: "Qubits…" },
        rssTimeline: [{ t: 0, bytes: 1, phase: "load" }],
        warnings: [{ kind: "highVariance", prompt: "explain", metric: "decodeTps", variation: 1 / 6 }],
        startedAt: "2025-01-02T03:04:06.000Z",
        finishedAt: "2025-01-02T03:05:06.000Z",
        stderr: "some llama.cpp log"
    };
}

const options = { baseDir, homeDir };

describe("runFileJson", () => {
    const text = runFileJson(makeRun(), [makeConfig("c1"), makeConfig("c2")], options);
    const file = JSON.parse(text);

    it("writes every object's keys in the documented order", () => {
        expect(Object.keys(file)).toEqual(["schema", "run", "configs"]);
        expect(file.schema).toBe(1);
        expect(Object.keys(file.run)).toEqual(["id", "suite", "startedAt", "finishedAt", "status", "git", "machine"]);
        expect(Object.keys(file.run.suite)).toEqual(["name", "path", "sha256"]);
        expect(Object.keys(file.run.git)).toEqual(["commit", "dirty"]);
        expect(Object.keys(file.run.machine)).toEqual(
            ["os", "arch", "cpu", "cores", "memoryBytes", "node", "nodeLlamaCpp", "llamaCpp", "backend", "gpus"]);
        const config = file.configs[0];
        expect(Object.keys(config)).toEqual([
            "id", "label", "status", "error", "model", "params", "startMs", "loadMs", "warmupMs", "peakRssBytes", "vramBytes",
            "measurements", "summary", "outputs", "warnings"
        ]);
        expect(Object.keys(config.model)).toEqual(["source", "repo", "file", "path", "sha256", "sizeBytes", "quant", "arch", "parameters"]);
        expect(Object.keys(config.params)).toEqual(Object.keys(defaultSettings));
        expect(Object.keys(config.measurements[0])).toEqual(["kind", "prompt", "rep", "metrics"]);
        expect(Object.keys(config.measurements[0].metrics)).toEqual(["decodeTps", "e2eMs", "ttftMs"]);
        expect(Object.keys(config.summary)).toEqual(["explain.decodeTps", "explain.e2eMs", "explain.ttftMs"]);
        expect(Object.keys(config.summary["explain.decodeTps"])).toEqual(["n", "mean", "sd", "median", "min", "max"]);
        expect(file.configs.map((c: { id: string }) => c.id)).toEqual(["c1", "c2"]);
    });

    it("recomputes the summary from the measurements it writes", () => {
        // 10, 12, 14 → mean 12, sd 2; 80, 82, 78 → mean 80, sd 2, median 80
        expect(file.configs[0].summary["explain.decodeTps"]).toEqual({ n: 3, mean: 12, sd: 2, median: 12, min: 10, max: 14 });
        expect(file.configs[0].summary["explain.ttftMs"]).toEqual({ n: 3, mean: 80, sd: 2, median: 80, min: 78, max: 82 });
    });

    it("leaves the RSS timeline, token times, stderr and timestamps of configs in the database", () => {
        for (const word of ["rssTimeline", "tokenTimesMs", "stderr", "some llama.cpp log"]) expect(text).not.toContain(word);
        expect(Object.keys(file.configs[0])).not.toContain("startedAt");
    });

    it("writes no machine-specific absolute paths", () => {
        expect(file.run.suite.path).toBe("suites/qwen.yaml");
        expect(file.configs[0].model.path).toBe("~/.cache/huggingface/hub/models--Qwen/q4_k_m.gguf");
        expect(text).not.toContain(homeDir);
    });

    it("is pretty with two spaces and ends with one newline", () => {
        expect(text.startsWith('{\n  "schema": 1,\n  "run": {\n    "id"')).toBe(true);
        expect(text.endsWith("}\n")).toBe(true);
        expect(text.endsWith("\n\n")).toBe(false);
    });

    it("keeps a fixed shape for a config that never loaded", () => {
        const crashed: ConfigRecord = { ...makeConfig("c3"), status: "crashed", error: "SIGKILL (out of memory?)", model: null,
            startMs: null, loadMs: null, warmupMs: null, peakRssBytes: null, vramBytes: null, measurements: [], outputs: {}, warnings: [] };
        const config = JSON.parse(runFileJson(makeRun(), [crashed], options)).configs[0];
        expect(config).toMatchObject({ status: "crashed", error: "SIGKILL (out of memory?)", model: null, startMs: null, loadMs: null, warmupMs: null, summary: {} });
        expect(Object.keys(config)).toHaveLength(15);
    });

    it("writes the same text for a run read back from the database", () => {
        const store = Store.open(":memory:");
        store.createRun(makeRun());
        store.saveConfig(makeRun().id, makeConfig("c1"));
        store.saveConfig(makeRun().id, makeConfig("c2"));
        const got = store.getRun("latest")!;
        store.close();
        expect(runFileJson(got.run, got.configs, options)).toBe(text);
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
        expect(bytes.toString("utf8")).toBe(runFileJson(run, [makeConfig("c1")], options));

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
