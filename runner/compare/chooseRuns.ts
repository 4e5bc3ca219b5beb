/**
 * Which runs a comparison sets side by side. A side is a set of runs (a git ref holds every run file committed
 * there, HEAD usually the baseline's too); compare takes, per suite and machine (with the other shards of a
 * sharded run), the newest run of the baseline and the newest run of the candidate that is not also in the
 * baseline. So `HEAD~1 HEAD` compares the run committed last with the one before it, whatever ids its configs got.
 */
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import type { RunFile } from "../store/runFile.ts";
import { machineKey } from "../store/machineKey.ts";
import { shardSet } from "../store/shardSet.ts";
import type { Side } from "./resolveSide.ts";

/** The runs of one suite on one machine that are compared with each other. */
export interface RunPair {
    /** `suite name · machine key`. */
    key: string;
    baseline: RunFile[];
    candidate: RunFile[];
}

export interface ChosenRuns {
    pairs: RunPair[];
    /** Suites (per machine) only one side holds: their runs, for the unmatched list. */
    oneSided: { side: "baseline" | "candidate"; key: string; runs: RunFile[] }[];
}

export interface ChooseOptions {
    /** Compare a run with itself when both sides hold it (otherwise refused). Defaults to `false`. */
    sameRun?: boolean;
    /** Every run of a group instead of the newest (with its shards). Defaults to `false`. */
    pool?: boolean;
    /** Group runs by suite only, not by machine. Defaults to `false`. */
    acrossMachines?: boolean;
}

/** The group a run belongs to: its suite (by name) and, unless across machines, its machine. */
function groupKey(run: RunFile, acrossMachines: boolean): string {
    return acrossMachines ? run.run.suite.name : `${run.run.suite.name} · ${machineKey(run.run.machine)}`;
}

/**
 * Refuses (InputError) two sides that hold the same runs, and a candidate all of whose runs are in the baseline,
 * unless `sameRun`. With one group a side and different keys (two suites, two machines), pairs those two groups.
 */
export function chooseRuns(baseline: Side, candidate: Side, opts: ChooseOptions = {}): ChosenRuns {
    const inBaseline = new Set(baseline.runs.map((r) => r.run.id));
    const identical = inBaseline.size === new Set(candidate.runs.map((r) => r.run.id)).size && candidate.runs.every((r) => inBaseline.has(r.run.id));
    const fresh = opts.sameRun === true ? candidate.runs : candidate.runs.filter((r) => !inBaseline.has(r.run.id));
    if (opts.sameRun !== true) {
        const names = `${visible(baseline.spec)} and ${visible(candidate.spec)}`;
        if (identical)
            throw new InputError(`compare: ${names} hold the same run(s) (${listIds(candidate.runs)}): nothing changed between them; commit or pick a new run, or pass --same-run to compare a run with itself`);
        if (fresh.length === 0)
            throw new InputError(`compare: every run of ${visible(candidate.spec)} is also in ${visible(baseline.spec)} (${listIds(candidate.runs)}): no new run to compare; pass --same-run to compare a run with itself`);
    }
    const across = opts.acrossMachines === true;
    const base = chosen(groups(baseline.runs, across), opts.pool === true);
    const cand = chosen(groups(fresh, across), opts.pool === true);
    if (base.size === 1 && cand.size === 1) {
        const [bk, b] = [...base][0]!;
        const [ck, c] = [...cand][0]!;
        return { pairs: [{ key: bk === ck ? ck : `${bk} → ${ck}`, baseline: b, candidate: c }], oneSided: [] };
    }
    const pairs: RunPair[] = [];
    const oneSided: ChosenRuns["oneSided"] = [];
    for (const [key, runs] of base) {
        const other = cand.get(key);
        if (other == null) oneSided.push({ side: "baseline", key, runs });
        else pairs.push({ key, baseline: runs, candidate: other });
    }
    for (const [key, runs] of cand) if (!base.has(key)) oneSided.push({ side: "candidate", key, runs });
    return { pairs, oneSided };
}

/** Runs by group, each group newest first. */
function groups(runs: RunFile[], across: boolean): Map<string, RunFile[]> {
    const out = new Map<string, RunFile[]>();
    for (const run of [...runs].sort(newestFirst)) {
        const key = groupKey(run, across);
        out.set(key, [...(out.get(key) ?? []), run]);
    }
    return out;
}

/** Per group: every run (pooled) or the newest with the other shards of it, oldest first. */
function chosen(byGroup: Map<string, RunFile[]>, pool: boolean): Map<string, RunFile[]> {
    const out = new Map<string, RunFile[]>();
    for (const [key, runs] of byGroup) {
        const picked = pool ? runs : shardSet(runs[0]!.run, runs.map((r) => r.run)).map((record) => runs.find((r) => r.run === record)!);
        out.set(key, [...picked].sort((a, b) => -newestFirst(a, b)));
    }
    return out;
}

function newestFirst(a: RunFile, b: RunFile): number {
    return a.run.startedAt < b.run.startedAt ? 1 : a.run.startedAt > b.run.startedAt ? -1 : a.run.id < b.run.id ? 1 : a.run.id > b.run.id ? -1 : 0;
}

function listIds(runs: RunFile[]): string {
    const ids = [...new Set(runs.map((r) => r.run.id))];
    return (ids.length <= 3 ? ids : [...ids.slice(0, 3), `${ids.length - 3} more`]).map(visible).join(", ");
}
