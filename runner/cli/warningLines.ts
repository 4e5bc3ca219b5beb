/**
 * Warnings as the terminal shows them after the table, grouped on their kind: the same warning from several configs
 * once (with how many), and every `highVariance` folded into one line naming the worst, so a noisy machine does not
 * bury the rest. The database and run file keep every warning of every config as it was.
 */
import type { ConfigRecord } from "../results.ts";
import { maxVariation } from "../stats/warnings.ts";
import { warningText } from "../warnings.ts";
import { busyReason } from "../stats/machineBusy.ts";

export function warningLines(records: readonly ConfigRecord[]): string[] {
    const same = new Map<string, string[]>();
    const varies: { label: string; what: string; variation: number }[] = [];
    for (const record of records)
        for (const warning of record.warnings) {
            if (warning.kind === "highVariance") {
                varies.push({ label: record.label, what: `${warning.prompt}.${warning.metric}`, variation: warning.variation });
                continue;
            }
            const text = warningText(warning);
            same.set(text, [...(same.get(text) ?? []), record.label]);
        }
    const lines = [...same].map(([text, labels]) =>
        labels.length === 1 ? `${labels[0]}: ${text}` : `${labels.length} configs (${labels[0]}, …): ${text}`);
    if (varies.length > 0) {
        const worst = varies.reduce((a, b) => (b.variation > a.variation ? b : a));
        lines.push(`${varies.length} figure(s) vary more than ${Math.round(maxVariation * 100)} % (sd/mean), worst ${worst.label} ${worst.what} ` +
            `${Math.round(worst.variation * 100)} %: close other programs, or raise \`repetitions\``);
    }
    for (const record of records) {
        const busy = busyReason(record.machineLoad);
        if (busy != null) lines.push(`the machine was busy: ${busy} during ${record.label}: its figures may be slower for that; compare flags them`);
    }
    return lines;
}
