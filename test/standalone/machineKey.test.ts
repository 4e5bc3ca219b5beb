/** "The same machine": one key for compare and the report, over the hardware and backend, not the software or memory total. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MachineInfo } from "../../runner/results.ts";
import { machineKey } from "../../runner/store/machineKey.ts";
import { sideConfigs } from "../../runner/compare/sideConfigs.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { Store } from "../../runner/store/store.ts";
import { loadSite } from "../../report/src/data/loadSite.ts";
import { openResults } from "../../runner/store/openResults.ts";
import { histories } from "../../report/src/data/history.ts";
import { machineList } from "../../report/src/data/machines.ts";
import { config, machineA, run, save } from "./report/handMade.ts";

const dual: MachineInfo = { ...machineA, backend: "cuda", gpus: ["NVIDIA L4", "NVIDIA A10"] };

/** The same box after an OS, Node, node-llama-cpp and llama.cpp upgrade, which also moved the kernel's memory total. */
const upgraded: MachineInfo = { ...machineA, os: "Linux 6.12", node: "v22.12.0", nodeLlamaCpp: "3.23.0", llamaCpp: "b7000", memoryBytes: machineA.memoryBytes - 4096 * 1024 };

describe("machineKey", () => {
    it("keeps a machine one machine across software upgrades, a moved memory total and the GPUs' enumeration order", () => {
        expect(machineKey(upgraded)).toBe(machineKey(machineA));
        expect(machineKey({ ...dual, gpus: ["NVIDIA A10", "NVIDIA L4"] })).toBe(machineKey(dual));
        expect(machineKey(dual)).toBe("x64 · Test CPU · 2 cores · cuda · NVIDIA A10 · NVIDIA L4");
    });

    it("tells machines apart by architecture, CPU, usable cores, backend and GPUs", () => {
        const others: MachineInfo[] = [
            { ...machineA, arch: "arm64" }, { ...machineA, cpu: "Other CPU" }, { ...machineA, cores: 4 },
            { ...machineA, backend: "vulkan" }, { ...dual, gpus: ["NVIDIA L4"] }, { ...dual, gpus: ["NVIDIA L4", "NVIDIA L4"] }
        ];
        const keys = new Set([machineA, dual, ...others].map(machineKey));
        expect(keys.size).toBe(others.length + 2);
    });

    it("is the key compare matches within and the report groups by", () => {
        const before = toRunFile(run("before", "2025-01-01T00:00:00.000Z"), [config("c")]);
        const after = toRunFile(run("after", "2025-02-01T00:00:00.000Z", { machine: upgraded }), [config("c")]);
        // one entry: the same config on the same machine, the newer run speaking for it
        expect(sideConfigs([before, after], false).map((e) => e.run.run.id)).toEqual(["after"]);

        const dir = mkdtempSync(join(tmpdir(), "gguf-bench-machine-"));
        try {
            const path = join(dir, "bench.db");
            const store = Store.open(path);
            save(store, run("before", "2025-01-01T00:00:00.000Z"), [config("c", { figures: { explain: { decodeTps: [10] } } })]);
            save(store, run("after", "2025-02-01T00:00:00.000Z", { machine: upgraded }), [config("c", { figures: { explain: { decodeTps: [12] } } })]);
            store.close();
            const db = openResults(path)!;
            const site = loadSite(db, path);
            db.close();
            expect(machineList(site).map((m) => [m.run.id, m.runs])).toEqual([["after", 2]]);
            // the upgrade shows as a step in the config's history instead of starting a second machine
            expect(histories(site).find((h) => h.metric === "decodeTps")!.points.map((p) => p.median)).toEqual([10, 12]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
