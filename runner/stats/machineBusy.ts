/**
 * Whether a config was measured on a busy machine, judged from what exec/machineLoad.ts recorded around it (the
 * record's `MachineLoad`); bench's warning lines, compare and the report's config page all use this one rule.
 */
import type { MachineLoad } from "../results.ts";

/** Above this share of the machine's time taken by others (or stolen), a config was measured on a busy machine. */
export const busyShare = 0.25;
const busyStealShare = 0.05;

/** Why a config counts as measured on a busy machine (`load 3.1 on 2 cores, others used 60 % of the CPU`), or null. */
export function busyReason(load: MachineLoad | null | undefined): string | null {
    if (load == null) return null;
    const reasons: string[] = [];
    const othersBusy = load.othersCpu != null && load.othersCpu > busyShare;
    // with no CPU accounting (macOS), a load average above the cores is the sign (it counts the config's own child)
    if (othersBusy || (load.othersCpu == null && load.loadAverage != null && load.loadAverage > load.cores)) {
        if (load.loadAverage != null) reasons.push(`load ${load.loadAverage.toFixed(1)} on ${load.cores} core${load.cores === 1 ? "" : "s"}`);
        if (load.othersCpu != null) reasons.push(`other processes used ${Math.round(load.othersCpu * 100)} % of the CPU`);
    }
    if (load.steal != null && load.steal > busyStealShare) reasons.push(`${Math.round(load.steal * 100)} % of the CPU stolen by the hypervisor`);
    if (load.throttleEvents != null && load.throttleEvents > 0) reasons.push(`${load.throttleEvents} thermal throttle event(s)`);
    return reasons.length === 0 ? null : reasons.join(", ");
}
