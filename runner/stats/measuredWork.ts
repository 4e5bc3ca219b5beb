/** Where a run's wall time went: model work (load, warm-up, measured runs) against the harness around it. */
import type { ConfigRecord } from "../results.ts";

/** Milliseconds of timed work in the measured repetitions: each prompt's `e2eMs`, each test's `ppMs` + `tgMs`. */
export function measuredWorkMs(records: readonly ConfigRecord[]): number {
    let total = 0;
    for (const record of records)
        for (const { metrics } of record.measurements)
            total += metrics.e2eMs ?? (metrics.ppMs ?? 0) + (metrics.tgMs ?? 0);
    return total;
}

export interface WorkAccount {
    /** Children forked (configs with a recorded start). */
    children: number;
    /** Fork → `ready`, summed: Node start, node-llama-cpp import, backend load. Harness, not model work. */
    startMs: number;
    loadMs: number;
    warmupMs: number;
    measuredMs: number;
    /** The configs' quality passes (chunks evaluated and scored). */
    qualityMs: number;
    /** Quality references computed by this run (each in a child of its own; cached ones cost nothing). */
    referenceMs: number;
    /** load + warm-up + measured + quality + references: what the issue calls model work (child start, storage and report excluded). */
    modelWorkMs: number;
}

/** `referenceMs`: wall time of the reference passes this run computed. Defaults to `0`. */
export function workAccount(records: readonly ConfigRecord[], referenceMs = 0): WorkAccount {
    let children = 0;
    let startMs = 0;
    let loadMs = 0;
    let warmupMs = 0;
    let qualityMs = 0;
    for (const record of records) {
        qualityMs += record.quality?.ms ?? 0;
        if (record.startMs != null) {
            children++;
            startMs += record.startMs;
        }
        loadMs += record.loadMs ?? 0;
        warmupMs += record.warmupMs ?? 0;
    }
    const measuredMs = measuredWorkMs(records);
    return { children, startMs, loadMs, warmupMs, measuredMs, qualityMs, referenceMs, modelWorkMs: loadMs + warmupMs + measuredMs + qualityMs + referenceMs };
}

/**
 * One line for the end of a run, e.g. `wall 23.7 s = 1.93 × model work 12.3 s (load 1.1 s, warm-up 2.7 s, measured
 * 8.5 s); child start 7.0 s over 6 children; storage and the rest 4.4 s`.
 */
export function formatWorkAccount(wallMs: number, account: WorkAccount, formatMs: (ms: number) => string): string {
    const rest = Math.max(0, wallMs - account.modelWorkMs - account.startMs);
    const ratio = account.modelWorkMs > 0 ? `${(wallMs / account.modelWorkMs).toFixed(2)} × ` : "";
    return `wall ${formatMs(wallMs)} = ${ratio}model work ${formatMs(account.modelWorkMs)} ` +
        `(load ${formatMs(account.loadMs)}, warm-up ${formatMs(account.warmupMs)}, measured ${formatMs(account.measuredMs)}` +
        (account.qualityMs > 0 ? `, quality ${formatMs(account.qualityMs)}` : "") +
        (account.referenceMs > 0 ? `, references ${formatMs(account.referenceMs)}` : "") + "); " +
        `child start ${formatMs(account.startMs)} over ${account.children} ${account.children === 1 ? "child" : "children"}; ` +
        `storage and the rest ${formatMs(rest)}`;
}
