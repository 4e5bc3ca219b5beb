import { randomBytes } from "node:crypto";
import type { Shard } from "../results.ts";

/**
 * `20261124-231502-default-3f9a1c`, `20261124-231502-default-s2of4-3f9a1c` for a shard: sorts by start time, names the
 * suite and shard, and does not collide when several machines start the same suite in the same second (the shard
 * tells the parts apart; 3 random bytes, machines).
 */
export function newRunId(suiteName: string, now = new Date(), shard: Shard | null = null): string {
    const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
    const name = suiteName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "suite";
    const part = shard == null ? "" : `-s${shard.index}of${shard.count}`;
    return `${stamp}-${name}${part}-${randomBytes(3).toString("hex")}`;
}
