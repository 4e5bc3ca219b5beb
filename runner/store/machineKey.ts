/**
 * "The same machine" across recorded runs, for everything that groups runs by machine: compare matches configs
 * within a machine, the report's summary pages, history and machines pages group by it.
 *
 * The key holds what decides a config's speed and cannot change without the machine becoming another one: the
 * architecture, the CPU model, the logical cores the process could use, the backend that loaded and the GPUs (as a
 * set: their enumeration order is not part of the machine). Left out on purpose:
 * - the software (OS version, Node, node-llama-cpp, llama.cpp): an upgrade on the same machine is exactly what
 *   history and compare are there to show, so it must not split the machine in two;
 * - the memory total: on Linux it is what the kernel leaves usable, which moves between kernel versions on unchanged hardware, and it decides
 *   which configs fit, not how fast a config that fits runs.
 * compare still lists every fingerprint field that differs (`fingerprintDifferences`), and the report shows them all.
 */
import type { MachineInfo } from "../results.ts";

/** `x64 · Intel Xeon · 2 cores · cpu`, plus the GPUs in sorted order: equal keys are the same machine. */
export function machineKey(machine: MachineInfo): string {
    return [machine.arch, machine.cpu, `${machine.cores} cores`, machine.backend, ...[...machine.gpus].sort()].join(" · ");
}
