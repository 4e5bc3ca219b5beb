/**
 * Warnings as the terminal shows them after the table: the same text from several configs once (with how many),
 * and every "varies N %" folded into one line naming the worst, so a noisy machine does not bury the rest.
 * The database and run file keep every warning of every config as it was.
 */
import type { ConfigRecord } from "../results.ts";

const variesPattern = /^(\S+) varies (\d+) % \(sd\/mean\)/;

export function warningLines(records: readonly ConfigRecord[]): string[] {
    const same = new Map<string, string[]>();
    const varies: { label: string; what: string; percent: number }[] = [];
    for (const record of records)
        for (const warning of record.warnings) {
            const match = variesPattern.exec(warning);
            if (match != null) varies.push({ label: record.label, what: match[1]!, percent: Number(match[2]) });
            else same.set(warning, [...(same.get(warning) ?? []), record.label]);
        }
    const lines = [...same].map(([warning, labels]) =>
        labels.length === 1 ? `${labels[0]}: ${warning}` : `${labels.length} configs (${labels[0]}, …): ${warning}`);
    if (varies.length > 0) {
        const worst = varies.reduce((a, b) => (b.percent > a.percent ? b : a));
        lines.push(`${varies.length} figure(s) vary more than 10 % (sd/mean), worst ${worst.label} ${worst.what} ${worst.percent} %: close other programs, or raise \`repetitions\``);
    }
    return lines;
}
