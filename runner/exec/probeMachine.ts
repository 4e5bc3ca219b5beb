/**
 * Machine facts for the run record, collected in a short-lived child (`info --json`) so the parent never
 * initializes a GPU backend itself: the parent's own VRAM would otherwise count against every config.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GpuBackend } from "../suite/types.ts";
import type { MachineInfo } from "../results.ts";
import { bundleEntry } from "./childBundle.ts";

const probeEntry = fileURLToPath(new URL("../cli/probeEntry.ts", import.meta.url));

/** Runs as a bundle under plain node, like the measure children: 1.2 s instead of 2.6 s under tsx (measured here). */
export async function probeMachine(gpu: GpuBackend): Promise<MachineInfo> {
    const args = [await bundleEntry(probeEntry), "--json", "--gpu", String(gpu)];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { maxBuffer: 4 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
            if (error != null) {
                reject(new Error(`could not read the machine's facts: ${stderr.trim().split("\n").at(-1) ?? error.message}`));
                return;
            }
            const info = JSON.parse(stdout) as MachineInfo & { details?: unknown };
            resolve({
                os: info.os, arch: info.arch, cpu: info.cpu, cores: info.cores, memoryBytes: info.memoryBytes, node: info.node,
                nodeLlamaCpp: info.nodeLlamaCpp, llamaCpp: info.llamaCpp, backend: info.backend, gpus: info.gpus
            });
        });
    });
}
