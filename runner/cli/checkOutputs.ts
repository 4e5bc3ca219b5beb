/**
 * Before anything runs or is stored, the places a run will write are checked, without writing: the database file
 * and its folder, the results folder, the model cache. Any that cannot be used is one InputError line (exit 2), so
 * a read-only results folder is not found only after the whole run.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";

export interface OutputPlaces {
    /** The SQLite database file. */
    db: string;
    /** The folder for run files; `null` when the run writes none (ad-hoc runs). */
    results: string | null;
    /** Model caches the run may write to (Hub downloads, synthetic models, the sha256 cache). */
    caches: string[];
}

export async function checkOutputs(places: OutputPlaces): Promise<void> {
    await checkFile("database", places.db);
    if (places.results != null) await checkFolder("results folder", places.results);
    for (const cache of places.caches) await checkFolder("model cache", cache);
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

/** An existing file must be a writable file; its folder (or the nearest one that exists) must take new files. */
async function checkFile(what: string, file: string): Promise<void> {
    const info = await stat(file).catch(() => undefined);
    if (info != null) {
        if (!info.isFile()) throw new InputError(`${what} ${visible(file)}: expected a file, found a ${info.isDirectory() ? "folder" : "special file"}`);
        await access(file, constants.R_OK | constants.W_OK).catch((error: unknown) => {
            throw new InputError(`${what} ${visible(file)}: cannot write it (${errorCode(error)})`);
        });
    }
    // SQLite writes its -wal and -shm files beside the database
    await checkFolder(`folder of the ${what}`, path.dirname(path.resolve(file)));
}

/** A folder that exists must be a writable folder; one that does not must be creatable in its nearest existing parent. */
async function checkFolder(what: string, folder: string): Promise<void> {
    let existing = path.resolve(folder);
    for (;;) {
        let info;
        try {
            info = await stat(existing);
        } catch (error) {
            // missing, or under a file: look further up
            if (errorCode(error) !== "ENOENT" && errorCode(error) !== "ENOTDIR") throw new InputError(`${what} ${visible(folder)}: cannot use ${visible(existing)} (${errorCode(error)})`);
        }
        if (info != null) {
            if (!info.isDirectory())
                throw new InputError(`${what} ${visible(folder)}: ${existing === path.resolve(folder) ? "expected a folder, found a file" : `${visible(existing)} is a file, not a folder`}`);
            break;
        }
        const parent = path.dirname(existing);
        if (parent === existing) break;
        existing = parent;
    }
    await access(existing, constants.W_OK | constants.X_OK).catch((error: unknown) => {
        throw new InputError(`${what} ${visible(folder)}: cannot write in ${visible(existing)} (${errorCode(error)})`);
    });
}
