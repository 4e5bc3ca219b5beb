/**
 * The built site with every invisible formatting character (bidi overrides and isolates, zero-width characters, the
 * BOM, …) written as `⟨U+202E⟩`, so that a suite name, a label or a model's output cannot display as something else.
 * Applied to each page after the build: every string from the results reaches a page through one of them (text,
 * attributes, and the chart specs the pages embed), and the site's own pages hold none of these characters.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { invisibleFormatChar, visibleFormatting } from "../format/visible.ts";

/** Rewrites the `.html` files under `dir` in place; returns how many characters were made visible. */
export function showFormattingCharacters(dir: string): number {
    let count = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile() || !entry.name.endsWith(".html")) continue;
        const file = path.join(entry.parentPath, entry.name);
        const html = readFileSync(file, "utf8");
        const found = html.match(invisibleFormatChar)?.length ?? 0;
        if (found === 0) continue;
        count += found;
        writeFileSync(file, visibleFormatting(html));
    }
    return count;
}
