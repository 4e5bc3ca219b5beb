/** One machine across runs: the facts that make its figures comparable, and a short name for legends. */
import type { MachineInfo } from "../../../runner/results.ts";
import { formatBytes } from "../../../runner/format/bytes.ts";

/** Key of the hardware and backend a run used (not the software versions, which history tracks). */
export function machineKey(machine: MachineInfo): string {
    return JSON.stringify([machine.os, machine.arch, machine.cpu, machine.cores, machine.memoryBytes, machine.backend, [...machine.gpus].sort()]);
}

/** `Intel Xeon · 2 cores · 24 GiB · cpu`, with the first GPU when there is one. */
export function machineName(machine: MachineInfo): string {
    const cpu = machine.cpu.replace(/\((R|TM)\)/gi, "").replace(/\s+(CPU|Processor)\b/gi, "").replace(/\s+/g, " ").trim();
    const parts = [cpu || machine.arch, `${machine.cores} cores`, formatBytes(machine.memoryBytes), machine.backend];
    if (machine.gpus.length > 0) parts.push(machine.gpus[0]!);
    return parts.join(" · ");
}
