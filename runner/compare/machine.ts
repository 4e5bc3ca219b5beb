/**
 * The machine as a dimension of comparisons: configs are matched within a machine, named by the hardware that
 * decides speed (architecture, CPU, cores, backend, GPUs). Software (OS, Node, node-llama-cpp, llama.cpp) and the
 * memory total are not part of the key: a new release on the same machine is exactly what compare is for; they
 * are listed as fingerprint differences instead.
 */
import type { MachineInfo } from "../results.ts";

/** `x64 · Intel Xeon · 2 cores · cpu`, plus GPUs: equal keys are the same machine for matching. */
export function machineKey(machine: MachineInfo): string {
    return [machine.arch, machine.cpu, `${machine.cores} cores`, machine.backend, ...machine.gpus].join(" · ");
}

const fields = ["os", "arch", "cpu", "cores", "memoryBytes", "node", "nodeLlamaCpp", "llamaCpp", "backend", "gpus"] as const;

/** Each fingerprint field that differs, as `name: baseline → candidate`. */
export function fingerprintDifferences(baseline: MachineInfo, candidate: MachineInfo): string[] {
    const shown = (value: unknown) => (Array.isArray(value) ? (value.length === 0 ? "none" : value.join(", ")) : String(value));
    return fields
        .filter((field) => shown(baseline[field]) !== shown(candidate[field]))
        .map((field) => `${field}: ${shown(baseline[field])} → ${shown(candidate[field])}`);
}
