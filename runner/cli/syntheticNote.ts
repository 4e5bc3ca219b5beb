/** The line bench prints under the table when synthetic models ran: their figures are real, their text is not. */
import type { ConfigRecord } from "../results.ts";
import { visible } from "../format/visible.ts";

export function syntheticNote(records: readonly ConfigRecord[]): string | null {
    const synthetic = records.filter((record) => record.model?.source === "synthetic");
    if (synthetic.length === 0) return null;
    const clones = [...new Set(synthetic.map((record) => record.model?.clonedFrom).filter((like) => like != null))];
    const what = clones.length === 0 ? "" : ` (clones of ${clones.map((like) => visible(like)).join(", ")})`;
    return `${synthetic.length} config(s) ran synthetic models with random weights${what}: speed and memory are real, their text output is gibberish`;
}
