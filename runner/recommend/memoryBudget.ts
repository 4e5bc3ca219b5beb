/**
 * The memory budget a recommendation checks each machine's quants against: the one the user set; else, for the
 * machine this command runs on, what it has free now (RAM, or VRAM for an offloading backend); else, for a machine
 * known only from its run record, its total RAM (its free memory then was not recorded), and no VRAM budget.
 */
import { formatBytes } from "../format/bytes.ts";
import type { MachineInfo } from "../results.ts";
import { machineKey } from "../store/machineKey.ts";
import type { MemoryBudgetOf } from "./recommend.ts";

/** What this machine has free now, as `info --json` reports it. */
export interface LocalMemory {
    /** `machineKey` of this machine. */
    machineKey: string;
    freeRamBytes: number;
    /** Null without a GPU backend. */
    freeVramBytes: number | null;
}

export function memoryBudgetOf(memoryBytes: number | null, local: LocalMemory | null): MemoryBudgetOf {
    return (machine: MachineInfo, kind) => {
        if (memoryBytes != null) return { bytes: memoryBytes, kind, source: `as set (${formatBytes(memoryBytes)})` };
        if (local != null && machineKey(machine) === local.machineKey) {
            const free = kind === "RAM" ? local.freeRamBytes : local.freeVramBytes;
            return free == null ? null : { bytes: free, kind, source: `free ${kind} on this machine now` };
        }
        if (kind === "RAM" && machine.memoryBytes > 0)
            return { bytes: machine.memoryBytes, kind, source: "total RAM of that machine (its free memory was not recorded)" };
        return null;
    };
}
