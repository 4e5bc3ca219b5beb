/**
 * Machine facts for the run record, collected in a short-lived child (`info --json`) so the parent never
 * initializes a GPU backend itself: the parent's own VRAM would otherwise count against every config.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GpuBackend } from "../suite/types.ts";
import type { MachineInfo } from "../results.ts";

const cliEntry = fileURLToPath(new URL("../cli/cli.ts", import.meta.url));

export function probeMachine(gpu: GpuBackend): Promise<MachineInfo> {
    const args = ["--import", import.meta.resolve("tsx"), cliEntry, "info", "--json", "--gpu", String(gpu)];
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
