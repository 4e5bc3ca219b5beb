/**
 * Where `npm run report` may write its site, and how it gets there without ever emptying a folder it did not build.
 * The site is built into a fresh folder of its own beside the target (Astro empties its output folder first: that is
 * always this fresh one), marked as a report build, and only then put in the target's place. The target is replaced
 * only when it is absent, empty, or marked by an earlier build (or is the project's own `report/dist`); anything else,
 * and the results folder, the database's folder, the checkout and every folder above them, is refused before anything
 * is touched.
 */
import { lstatSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { makeDirSync } from "../makeDir.ts";

/** The file every report build leaves in its output folder: a later build may replace a folder that holds it. */
export const reportMarker = ".gguf-bench-report";
const markerText = "This folder was built by `npm run report` (gguf-bench). A later build replaces all of it.\n";

/** Folders the report must never replace, nor any folder above them: what holds the record and the code. */
export interface ProtectedPlaces {
    /** The run files (a folder, or one file: then its folder). */
    results: string;
    /** The database file (its folder is protected). */
    db: string;
    /** The checkout the report is built from. */
    checkout: string;
    /** The default output folder, which a report build made before the marker existed may hold unmarked. */
    defaultOut: string;
}

/** `p` with links resolved as far as it exists (the rest appended), so a link cannot hide where a path leads. */
function realish(p: string): string {
    const rest: string[] = [];
    let at = path.resolve(p);
    for (;;) {
        try {
            return path.join(realpathSync(at), ...rest.reverse());
        } catch {
            const parent = path.dirname(at);
            if (parent === at) return path.resolve(p);
            rest.push(path.basename(at));
            at = parent;
        }
    }
}

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);

/**
 * Throws an `InputError` (one line naming the folder) when the site may not be written to `out`; touches nothing.
 */
export function checkReportOut(out: string, places: ProtectedPlaces): void {
    const shown = visible(out);
    const target = realish(out);
    const resultsFolder = (() => {
        try {
            return lstatSync(places.results).isDirectory() ? places.results : path.dirname(places.results);
        } catch {
            return places.results;
        }
    })();
    const guarded: [string, string][] = [
        [resultsFolder, "the results folder"], [path.dirname(places.db), "the database's folder"], [places.checkout, "the checkout"]
    ];
    for (const [place, what] of guarded)
        if (within(realish(place), target))
            throw new InputError(`report: --out \`${shown}\`: refused: ${target === realish(place) ? "it is" : "it holds"} ${what} (\`${visible(place)}\`); name a folder of its own for the site`);
    let info;
    try {
        info = lstatSync(out);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw new InputError(`report: --out \`${shown}\`: cannot be used (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (info.isSymbolicLink()) throw new InputError(`report: --out \`${shown}\`: refused: it is a link; name the folder itself`);
    if (!info.isDirectory()) throw new InputError(`report: --out \`${shown}\`: refused: it is a file, not a folder`);
    const entries = readdirSync(out);
    if (entries.length === 0 || path.resolve(out) === path.resolve(places.defaultOut)) return;
    const marker = entries.includes(reportMarker) ? lstatSync(path.join(out, reportMarker)) : null;
    if (marker?.isFile()) return;
    throw new InputError(`report: --out \`${shown}\`: refused: the folder holds files that no report build wrote (no ${reportMarker} in it); name a new or empty folder`);
}

/**
 * Runs `build` into a fresh folder beside `out`, marks it, then puts it in `out`'s place (the earlier build, checked
 * again by `checkReportOut` just before, is removed only then). On a failed build the fresh folder goes and `out` is
 * left as it was.
 */
export async function buildReportInto(out: string, places: ProtectedPlaces, build: (dir: string) => Promise<void>): Promise<void> {
    const parent = path.dirname(path.resolve(out));
    makeDirSync(parent);
    const fresh = mkdtempSync(path.join(parent, `.${path.basename(out)}.building-`));
    try {
        await build(fresh);
        writeFileSync(path.join(fresh, reportMarker), markerText);
        checkReportOut(out, places);
        let old: string | null = null;
        try {
            lstatSync(out);
            old = `${fresh}.old`;
            renameSync(out, old);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
        try {
            renameSync(fresh, out);
        } catch (error) {
            if (old != null) renameSync(old, out);
            throw error;
        }
        if (old != null) rmSync(old, { recursive: true, force: true });
    } catch (error) {
        rmSync(fresh, { recursive: true, force: true });
        throw error;
    }
}
