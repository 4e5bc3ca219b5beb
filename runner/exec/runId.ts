import { randomBytes } from "node:crypto";

/** `20261124-231502-default-3f9a`: sorts by start time, names the suite, never collides within a second. */
export function newRunId(suiteName: string, now = new Date()): string {
    const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
    const name = suiteName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "suite";
    return `${stamp}-${name}-${randomBytes(2).toString("hex")}`;
}
