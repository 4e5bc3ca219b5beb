/** `bench --resume RUN_ID|latest`: the earlier run and the ids of the configs it already has, read without writing. */
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import type { ConfigRecord, RunRecord } from "../results.ts";
import { openDatabase } from "../store/db.ts";
import { Store } from "../store/store.ts";

export interface ResumedRun {
    run: RunRecord;
    configs: ConfigRecord[];
    /** Ids of the configs already saved: what the resumed run skips. */
    done: Set<string>;
}

/** Read-only, so a bad --resume leaves the database untouched. */
export function readResumedRun(db: string, id: string): ResumedRun {
    let store: Store;
    try {
        store = new Store(openDatabase(db, { readonly: true }));
    } catch (error) {
        throw new InputError(`--resume ${visible(id)}: no database at ${visible(db)}${error instanceof InputError ? ` (${error.message})` : ""}`);
    }
    try {
        const found = store.getRun(id);
        if (found == null) throw new InputError(`--resume: no run \`${visible(id)}\` in ${visible(db)}`);
        return { ...found, done: new Set(found.configs.map((config) => config.id)) };
    } finally {
        store.close();
    }
}
