/**
 * Machine facts for the run record, collected in a short-lived child (`info --json`) so the parent never
 * initializes a GPU backend itself: the parent's own VRAM would otherwise count against every config.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Engine, GpuBackend } from "../suite/types.ts";
import type { EngineInfo, MachineInfo } from "../results.ts";
import { InputError } from "../errors.ts";
import { bundleEntry } from "./childBundle.ts";
import type { MachineDetails } from "./machineInfo.ts";

const probeEntry = fileURLToPath(new URL("../cli/probeEntry.ts", import.meta.url));

/** Runs as a bundle under plain node, like the measure children: 1.2 s instead of 2.6 s under tsx (measured here). */
export async function probeMachine(gpu: GpuBackend): Promise<MachineInfo> {
    return (await probeMachineDetails(gpu)).machine;
}

/** The run record's machine with the facts beyond it (free RAM and VRAM now: what `recommend` budgets with). */
export async function probeMachineDetails(gpu: GpuBackend): Promise<{ machine: MachineInfo; details: MachineDetails }> {
    const args = [await bundleEntry(probeEntry), "--json", "--gpu", String(gpu)];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { maxBuffer: 4 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
            if (error != null) {
                reject(new Error(`could not read the machine's facts: ${stderr.trim().split("\n").at(-1) ?? error.message}`));
                return;
            }
            const info = JSON.parse(stdout) as MachineInfo & { details: MachineDetails };
            resolve({
                machine: {
                os: info.os, arch: info.arch, cpu: info.cpu, cores: info.cores, memoryBytes: info.memoryBytes, node: info.node,
                nodeLlamaCpp: info.nodeLlamaCpp, llamaCpp: info.llamaCpp, backend: info.backend, gpus: info.gpus
                },
                details: info.details
            });
        });
    });
}

/**
 * Loads `engine` for `gpu` in a short-lived probe child, as a config's child would, and returns what loaded. A
 * backend or engine that cannot load here (no local build) rejects with the probe's one-line InputError.
 */
export async function probeEngine(gpu: GpuBackend, engine: Engine): Promise<EngineInfo> {
    const args = [await bundleEntry(probeEntry), "--json", "--gpu", String(gpu), "--engine", engine];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { maxBuffer: 4 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
            const last = stderr.trim().split("\n").at(-1) ?? "";
            if (error != null) {
                reject(error.code === 2 ? new InputError(last) : new Error(`could not load engine \`${engine}\`: ${last || error.message}`));
                return;
            }
            resolve((JSON.parse(stdout) as { engine: EngineInfo }).engine);
        });
    });
}
