import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runExitCode, runSuite } from "../../runner/run/runSuite.ts";
import type { ResolvedModel } from "../../runner/models/types.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { RunRecord } from "../../runner/results.ts";
import { openDatabase } from "../../runner/store/db.ts";
import { Store } from "../../runner/store/store.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const childEntry = fileURLToPath(new URL("./fixtures/fakeChild.ts", import.meta.url));
const configs: Config[] = ["a", "b"].map((id) => ({
    id, label: `fake ${id}`, model: { source: "path", path: "/nowhere.gguf" },
    params: { ...defaultSettings, timeout: 5 }, prompts: [{ id: "p", text: "hi", kind: "chat" }], tests: []
}));
const model: ResolvedModel = {
    ref: { source: "path", path: "/nowhere.gguf" }, source: "path", file: "nowhere.gguf", path: "/nowhere.gguf",
    sha256: "cd".repeat(32), sizeBytes: 1000, quant: "Q8_0", arch: "llama", parameters: 1000
} as ResolvedModel;
const run: RunRecord = {
    id: "r1", suite: { name: "s", path: "s.yaml", sha256: "ab".repeat(32) }, startedAt: "2026-11-25T00:00:00.000Z",
    finishedAt: null, status: "running", git: { commit: "01".repeat(20), dirty: false },
    machine: { os: "linux", arch: "x64", cpu: "Test CPU", cores: 2, memoryBytes: 2 ** 30, node: "v20", nodeLlamaCpp: "3", llamaCpp: "b1", backend: "cpu", gpus: [] },
    shard: null
};
const options = (store: Store, runOrPromise: RunRecord | Promise<RunRecord>) => ({
    run: runOrPromise, configs, store, resolveModel: async () => model,
    childOptions: { childEntry, env: { FAKE_CHILD_MODE: "ok" } }
});

describe("runSuite with the run still being made (the machine probe beside the first child's start)", () => {
    it("starts the first config only once the run exists, then saves every config to it", async () => {
        const store = new Store(openDatabase(":memory:"));
        const phases: string[] = [];
        const ready = new Promise<RunRecord>((resolve) => setTimeout(() => {
            phases.push("run made");
            store.createRun(run);
            resolve(run);
        }, 1500));
        const result = await runSuite({ ...options(store, ready), hooks: { onProgress: (config) => phases.push(`${config.id} started`) } });
        expect(phases).toEqual(["run made", "a started", "b started"]);
        expect(result.records.map((r) => r.status)).toEqual(["ok", "ok"]);
        expect([...store.configStatuses("r1").values()]).toEqual(["ok", "ok"]);
        // the fake child reports what ran (a context of 256, 0 layers on the CPU): params say that, asked says the rest
        const saved = store.getRun("r1")!.configs[0]!;
        expect(saved.id).toBe("a");
        expect(saved.params).toMatchObject({ context: 256, batch: 256, gpuLayers: 0, gpu: false, threads: 1, threadsBatch: 1 });
        expect(saved.asked).toEqual({ context: 2048, batch: 512, gpuLayers: "max", gpu: "auto", threads: "auto", threadsBatch: "auto" });
        store.close();
    });

    it("a failed probe kills the first child before it starts, saves nothing and rejects with the reason", async () => {
        const store = new Store(openDatabase(":memory:"));
        const started: string[] = [];
        const failed = new Promise<RunRecord>((_, reject) => setTimeout(() => reject(new Error("could not read the machine's facts: boom")), 100));
        await expect(runSuite({ ...options(store, failed), hooks: { onProgress: (config) => started.push(config.id) } }))
            .rejects.toThrow("could not read the machine's facts: boom");
        expect(started).toEqual([]);
        expect(store.getRun("latest")).toBeNull();
        store.close();
    });
});

describe("runExitCode: 0 only when configs ran and none failed", () => {
    it("is 0 when every config ran, or some were skipped as too big beside others that ran", () => {
        expect(runExitCode(["ok", "ok"])).toBe(0);
        expect(runExitCode(["ok", "skipped"])).toBe(0);
    });

    it("is 1 when a config failed, crashed or timed out", () => {
        for (const bad of ["failed", "crashed", "timeout"] as const) expect(runExitCode(["ok", bad]), bad).toBe(1);
    });

    it("is 1 when every config was skipped: nothing ran", () => {
        expect(runExitCode(["skipped"])).toBe(1);
        expect(runExitCode(["skipped", "skipped", "skipped"])).toBe(1);
    });
});
