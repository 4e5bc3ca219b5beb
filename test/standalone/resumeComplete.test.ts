/** `--resume` of a run that already has every config changes nothing: not its finishedAt, not its run file. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../runner/cli/main.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import type { ConfigRecord, RunRecord } from "../../runner/results.ts";
import { Store } from "../../runner/store/store.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";

let root: string;
afterEach(() => {
    vi.restoreAllMocks();
    if (root != null) rmSync(root, { recursive: true, force: true });
});

describe("--resume of a completed run", () => {
    it("prints its table, exits with its code, and leaves the database and the results folder as they were", async () => {
        root = mkdtempSync(path.join(tmpdir(), "gguf-bench-resume-"));
        const suiteFile = path.join(root, "suite.yaml");
        writeFileSync(suiteFile, "name: done\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - { id: a, text: hi }\n");
        const suite = parseSuite(suiteFile);
        const db = path.join(root, "bench.db");
        const run: RunRecord = {
            id: "20261129-000000-done-abcd", suite: { name: suite.name, path: suiteFile, sha256: suite.sha256 },
            startedAt: "2026-11-29T00:00:00.000Z", finishedAt: "2026-11-29T00:01:00.000Z", status: "completed",
            git: { commit: null, dirty: null },
            machine: { os: "linux", arch: "x64", cpu: "Test CPU", cores: 2, memoryBytes: 2 ** 30, node: "v20", nodeLlamaCpp: "3", llamaCpp: "b1", backend: "cpu", gpus: [] },
            shard: null
        };
        const store = Store.open(db);
        store.createRun(run);
        for (const config of planConfigs(suite)) {
            const record: ConfigRecord = {
                id: config.id, label: config.label, status: "ok", error: null, model: null, params: config.params, asked: {}, startMs: 1,
                loadMs: 1, warmupMs: 0, peakRssBytes: 1, vramBytes: null, summary: {}, outputs: {}, rssTimeline: [], warnings: [],
                measurements: [{ kind: "prompt", prompt: "a", rep: 0, metrics: { e2eMs: 5 } }],
                startedAt: "2026-11-29T00:00:01.000Z", finishedAt: "2026-11-29T00:00:59.000Z"
            };
            store.saveConfig(run.id, record);
        }
        store.close();

        const printed: string[] = [];
        vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)));
        vi.spyOn(console, "error").mockImplementation((line: unknown) => void printed.push(String(line)));
        const results = path.join(root, "runs");
        const code = await main(["bench", "--resume", "latest", "--db", db, "--results", results]);

        expect(code, printed.join("\n")).toBe(0);
        expect(printed.join("\n")).toContain(`run ${run.id} is complete: every config of it is saved; nothing was run or changed`);
        const again = Store.open(db, { readonly: true });
        expect(again.getRun(run.id)!.run).toEqual(run);
        again.close();
        expect(readdirSync(root)).not.toContain("runs");
    });
});
