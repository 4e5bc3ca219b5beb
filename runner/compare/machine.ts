/**
 * Machines in a comparison: configs are matched within a machine (`machineKey`, shared with the report); what else
 * differs between two machines' fingerprints is listed beside the comparison.
 */
import type { MachineInfo } from "../results.ts";

const fields = ["os", "arch", "cpu", "cores", "memoryBytes", "node", "nodeLlamaCpp", "llamaCpp", "backend", "gpus"] as const;

/** Each fingerprint field that differs, as `name: baseline → candidate`. */
export function fingerprintDifferences(baseline: MachineInfo, candidate: MachineInfo): string[] {
    const shown = (value: unknown) => (Array.isArray(value) ? (value.length === 0 ? "none" : value.join(", ")) : String(value));
    return fields
        .filter((field) => shown(baseline[field]) !== shown(candidate[field]))
        .map((field) => `${field}: ${shown(baseline[field])} → ${shown(candidate[field])}`);
}
