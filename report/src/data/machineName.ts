/** A short name of a machine for headings and legends (which runs share a machine: `runner/store/machineKey.ts`). */
import type { MachineInfo } from "../../../runner/results.ts";
import { formatBytes } from "../../../runner/format/bytes.ts";

/** `Intel Xeon · 2 cores · 24 GiB · cpu`, with the first GPU when there is one. */
export function machineName(machine: MachineInfo): string {
    const cpu = machine.cpu.replace(/\((R|TM)\)/gi, "").replace(/\s+(CPU|Processor)\b/gi, "").replace(/\s+/g, " ").trim();
    const parts = [cpu || machine.arch, `${machine.cores} cores`, formatBytes(machine.memoryBytes), machine.backend];
    if (machine.gpus.length > 0) parts.push(machine.gpus[0]!);
    return parts.join(" · ");
}
