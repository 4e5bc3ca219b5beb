/** A Store opened on a database file for one piece of work, closed after it even when the work throws. */
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { openDatabase } from "./db.ts";
import { Store } from "./store.ts";

/** Runs `use` on the database at `db` (created when missing); a database that cannot be opened is an `InputError`. */
export async function withStore<T>(db: string, use: (store: Store) => T | Promise<T>): Promise<T> {
    let store: Store;
    try {
        store = new Store(openDatabase(db));
    } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`${visible(db)}: cannot open the database: ${visible((error as Error).message)}`);
    }
    try {
        return await use(store);
    } finally {
        store.close();
    }
}

/** Runs `use` on the database at `db` opened read-only (it must exist), synchronously. */
export function withReadOnlyStore<T>(db: string, use: (store: Store) => T): T {
    const store = new Store(openDatabase(db, { readonly: true }));
    try {
        return use(store);
    } finally {
        store.close();
    }
}
