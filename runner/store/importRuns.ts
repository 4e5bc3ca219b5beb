/**
 * Run files into the database: every file is read and checked before anything is written, then all new runs go in
 * one transaction. Importing a run that is already there with the same content changes nothing; the same run id with
 * other content is an error that names both sources.
 */
import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { kindOf, readRunFile, schema1View, type ReadRunFile } from "./readRunFile.ts";
import { fromRunFile, toRunFile, type RunFile } from "./runFile.ts";
import { runFileText } from "./runFileText.ts";
import type { Store } from "./store.ts";
import { withStore } from "./withStore.ts";

export interface RunFileRead extends ReadRunFile {
    /** The path the file was read from, as given. */
    path: string;
}

export interface ImportPlan {
    /** Runs to add, one per run id, in the order their files were given. */
    add: RunFileRead[];
    /** Files whose run the database (or an earlier file of this import) already holds with the same content. */
    same: RunFileRead[];
}

/** The run files named by `inputs`: files as given, folders as their `*.json` files sorted by name. */
export function runFilePaths(inputs: readonly string[]): string[] {
    const paths: string[] = [];
    for (const input of inputs) {
        let isDir: boolean;
        try {
            isDir = statSync(input).isDirectory();
        } catch {
            throw new InputError(`${input}: no such run file or folder`);
        }
        if (!isDir) paths.push(input);
        else
            for (const name of readdirSync(input).filter((name) => name.endsWith(".json")).sort()) {
                // only regular files inside the folder: a link (committed in a pull request, say) may lead anywhere,
                // and a FIFO would never end
                const file = path.join(input, name);
                const info = lstatSync(file);
                if (!info.isFile()) throw new InputError(`${file}: not a run file: a ${kindOf(info)}; run files are read only as regular files inside ${input}`);
                paths.push(file);
            }
    }
    return paths;
}

/** Read and check every file (throws the first problem as an `InputError`), then sort them into new and known runs. */
export async function planImport(paths: readonly string[], store: Store, opts: { baseDir?: string } = {}): Promise<ImportPlan> {
    const reads: RunFileRead[] = [];
    for (const file of paths) reads.push({ ...await readRunFile(file), path: file });

    const plan: ImportPlan = { add: [], same: [] };
    const seen = new Map<string, RunFileRead>();
    for (const read of reads) {
        const id = read.file.run.id;
        const earlier = seen.get(id);
        if (earlier != null) {
            if (sameContent(earlier, read)) plan.same.push(read);
            else throw new InputError(`${read.path}: run ${id} is also in ${earlier.path}, with other content: keep one of them`);
            continue;
        }
        seen.set(id, read);
        const stored = store.getRun(id);
        if (stored == null) {
            plan.add.push(read);
            continue;
        }
        const inDb: ReadRunFile = { file: toRunFile(stored.run, stored.configs, opts), schema: 2, ignored: [] };
        if (sameContent(inDb, read)) plan.same.push(read);
        else {
            const source = store.runSource(id);
            throw new InputError(`${read.path}: run ${id} is already in the database with other content ` +
                `(${source == null ? "recorded there by bench" : `imported from ${source}`}): remove one of them, or rebuild the database from the run files`);
        }
    }
    return plan;
}

/** Add the plan's new runs in one transaction: all of them or none. */
export function applyImport(store: Store, plan: ImportPlan): void {
    store.db.transaction(() => {
        for (const read of plan.add) {
            const { run, configs } = fromRunFile(read.file);
            store.createRun(run, read.path);
            for (const config of configs) store.saveConfig(run.id, config);
        }
    }).immediate();
}

/**
 * `db import`: every file read and checked against the database at `db` before anything is written (the first
 * problem thrown as an `InputError`, the database untouched), then the new runs added in one transaction. A database
 * that does not exist yet is checked against an empty one and created only when there is a run to add.
 */
export async function importRunFiles(db: string, paths: readonly string[]): Promise<ImportPlan> {
    if (existsSync(db))
        return withStore(db, async (store) => {
            const plan = await planImport(paths, store);
            applyImport(store, plan);
            return plan;
        });
    const plan = await withStore(":memory:", (store) => planImport(paths, store));
    if (plan.add.length > 0) await withStore(db, (store) => applyImport(store, plan));
    return plan;
}

/** Whether two reads hold the same run, on what both files can say (a schema-1 file says less). */
function sameContent(a: ReadRunFile, b: ReadRunFile): boolean {
    const view = (read: ReadRunFile, other: ReadRunFile): RunFile => (read.schema === 2 && other.schema === 1 ? schema1View(read.file) : read.file);
    return runFileText(view(a, b)) === runFileText(view(b, a));
}
