/**
 * The engine setting on real binaries: a config with `engine: prebuilt` runs on node-llama-cpp's prebuilt binary even
 * where a local build exists (which node-llama-cpp would otherwise prefer), and one with `engine: local` on the local
 * build, each recorded. The local half is skipped, saying why, on a machine without a local build (CI).
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runChild } from "../../runner/exec/runChild.ts";
import { probeEngine } from "../../runner/exec/probeMachine.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { Engine } from "../../runner/suite/types.ts";
import { defaultSettings } from "../../runner/suite/types.ts";
import { testModels } from "./testModels.ts";

const models = await testModels();
const local = await probeEngine(false, "local").then(() => null, (error: Error) => error.message);
if (local != null) console.warn(`skipping the engine: local test: ${local}`);

function config(engine: Engine): Config {
    return {
        id: `engine-${engine}`,
        label: `${path.basename(models.tiny.path)} engine=${engine}`,
        model: { source: "path", path: models.tiny.path },
        params: { ...defaultSettings, context: 256, batch: 256, threads: 1, repetitions: 1, warmup: 1, gpu: false, engine },
        prompts: [],
        tests: [{ id: "tg8", pp: 0, tg: 8, depth: 0 }]
    };
}

describe("engine", () => {
    test("engine: prebuilt runs on node-llama-cpp's prebuilt binary, and the record says which", async () => {
        const outcome = await runChild(config("prebuilt"), models.tiny.path);
        expect(outcome.status).toBe("ok");
        if (outcome.status !== "ok") return;
        expect(outcome.result.engine.build).toBe("prebuilt");
        expect(outcome.result.engine.features).toContain("backend:CPU");
        expect(outcome.result.measurements.map((m) => m.prompt)).toEqual(["tg8"]);
    }, 120_000);

    test.skipIf(local != null)("engine: local runs on the local build (no local build here: `npm run engine -- build` makes one)", async () => {
        const outcome = await runChild(config("local"), models.tiny.path);
        expect(outcome.status).toBe("ok");
        if (outcome.status !== "ok") return;
        expect(outcome.result.engine.build).toBe("localBuild");
        // node-llama-cpp's source build on Linux with GCC turns OpenMP on (its prebuilt Linux binaries have it off)
        if (process.platform === "linux") expect(outcome.result.engine.features).toContain("OPENMP");
        expect(outcome.result.measurements.map((m) => m.prompt)).toEqual(["tg8"]);
    }, 120_000);
});
