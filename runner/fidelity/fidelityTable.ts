/** Pairs → the ratio table: runner / llama-bench, median of the per-pair ratios, at each thread count and at each side's best. */
import { computeStatistics } from "../stats/computeStatistics.ts";
import { renderTable } from "../cli/resultsTable.ts";

export interface FidelityPair {
    model: string;
    test: string;
    threads: number;
    llamaBench: number;
    app: number;
    engine: number | null;
}

const median = (values: number[]) => computeStatistics(values).median;

export function fidelityRows(pairs: FidelityPair[]): string[][] {
    const groups = new Map<string, FidelityPair[]>();
    for (const pair of pairs) {
        const key = JSON.stringify([pair.model, pair.test, pair.threads]);
        groups.set(key, [...(groups.get(key) ?? []), pair]);
    }
    const rows: string[][] = [["model", "test", "threads", "pairs", "llama-bench t/s", "runner t/s", "runner/llama-bench", "engine t/s", "engine/llama-bench"]];
    for (const group of groups.values()) {
        const first = group[0]!;
        const engines = group.filter((p) => p.engine != null);
        rows.push([
            first.model, first.test, String(first.threads), String(group.length),
            median(group.map((p) => p.llamaBench)).toFixed(1),
            median(group.map((p) => p.app)).toFixed(1),
            percent(median(group.map((p) => p.app / p.llamaBench))),
            engines.length > 0 ? median(engines.map((p) => p.engine!)).toFixed(1) : "",
            engines.length > 0 ? percent(median(engines.map((p) => p.engine! / p.llamaBench))) : ""
        ]);
    }
    return rows;
}

/** Each side at its own best thread count (median over pairs), for the "≥ 97 % at best threads" goal. */
export function bestThreadRows(pairs: FidelityPair[]): string[][] {
    const rows: string[][] = [["model", "test", "llama-bench best", "runner best", "runner/llama-bench"]];
    const keys = new Set(pairs.map((p) => JSON.stringify([p.model, p.test])));
    for (const key of keys) {
        const [model, test] = JSON.parse(key) as [string, string];
        const mine = pairs.filter((p) => p.model === model && p.test === test);
        const best = (pick: (p: FidelityPair) => number) => {
            let top = { threads: 0, value: -Infinity };
            for (const threads of new Set(mine.map((p) => p.threads))) {
                const value = median(mine.filter((p) => p.threads === threads).map(pick));
                if (value > top.value) top = { threads, value };
            }
            return top;
        };
        const theirs = best((p) => p.llamaBench);
        const ours = best((p) => p.app);
        rows.push([model, test, `${theirs.value.toFixed(1)} (t=${theirs.threads})`, `${ours.value.toFixed(1)} (t=${ours.threads})`, percent(ours.value / theirs.value)]);
    }
    return rows;
}

function percent(ratio: number): string {
    return `${(ratio * 100).toFixed(1)} %`;
}

export function formatFidelity(pairs: FidelityPair[]): string {
    return `${renderTable(fidelityRows(pairs))}\n\nat each side's best thread count:\n${renderTable(bestThreadRows(pairs))}`;
}
