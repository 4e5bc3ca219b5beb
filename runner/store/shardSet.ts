/**
 * The runs that measured one suite together. `bench --shard K/N` splits a suite's configs over N runs (the machines
 * of a CI matrix, or one machine part by part); the parts of one measurement are runs of the same suite file
 * (sha256), at the same git commit, on the same machine (`machineKey`), split the same N ways. compare's `latest`
 * and the report's summary pages both read a sharded suite through this, so either shows it as one run.
 */
import type { RunRecord } from "../results.ts";
import { machineKey } from "./machineKey.ts";

type ShardedRun = Pick<RunRecord, "suite" | "git" | "machine" | "shard">;

/**
 * `newest` and, when it is one part of a split, the newest run of each other part from `newestFirst` (runs newest
 * first; `newest` may be among them). A run of the whole suite stands alone. Parts that never ran are simply absent.
 */
export function shardSet<R extends ShardedRun>(newest: R, newestFirst: Iterable<R>): R[] {
    const { shard } = newest;
    if (shard == null || shard.count <= 1) return [newest];
    const machine = machineKey(newest.machine);
    const set = [newest];
    const found = new Set([shard.index]);
    for (const run of newestFirst) {
        if (run.shard == null || run.shard.count !== shard.count || found.has(run.shard.index)) continue;
        if (run.suite.sha256 !== newest.suite.sha256 || run.git.commit !== newest.git.commit || machineKey(run.machine) !== machine) continue;
        found.add(run.shard.index);
        set.push(run);
    }
    return set;
}
