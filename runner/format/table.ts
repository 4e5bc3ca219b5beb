/** A plain-text table: the first row is the header, then a rule; the first two columns left-aligned, the rest right. */
import { visible } from "./visible.ts";

/**
 * Rows of cells as aligned text; `leftColumns` columns are padded on the right, the others on the left. Defaults
 * to `2`. Every cell is shown through `visible`, and widths are those of what is shown.
 */
export function renderTable(cells: readonly (readonly string[])[], leftColumns = 2): string {
    const rows = cells.map((row) => row.map(visible));
    const widths: number[] = [];
    for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    const line = (row: readonly string[]) =>
        row.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd();
    const [header, ...body] = rows;
    if (header == null) return "";
    return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
