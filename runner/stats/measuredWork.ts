/** How much of a run's wall time was the measured model work itself (the rest: child starts, loads, warm-ups, storage). */
import type { ConfigRecord } from "../results.ts";

/** Milliseconds of timed work in the measured repetitions: each prompt's `e2eMs`, each test's `ppMs` + `tgMs`. */
export function measuredWorkMs(records: readonly ConfigRecord[]): number {
    let total = 0;
    for (const record of records)
        for (const { metrics } of record.measurements)
            total += metrics.e2eMs ?? (metrics.ppMs ?? 0) + (metrics.tgMs ?? 0);
    return total;
}
