/** Opens the SQLite database once: WAL, foreign keys, busy timeout, migrations to the schema this code knows. */
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { migrations } from "./migrations.ts";
import { makeDirSync } from "../makeDir.ts";

export type { Database } from "better-sqlite3";

export interface OpenDatabaseOptions {
    /** Open an existing database for reading only (the report); no folder is created and no migration runs. Defaults to `false`. */
    readonly?: boolean;
}

/** Milliseconds a statement waits for another connection's lock before failing. */
export const busyTimeoutMs = 5000;

/**
 * Open (and create, with its parent folder) the database at `path`, `:memory:` for a private in-memory one,
 * and bring its schema up to date. A readonly open needs an existing database at the current schema version.
 * Throws an `InputError` for a database made by a newer gguf-bench.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Database.Database {
    const readonly = opts.readonly ?? false;
    const inMemory = path === ":memory:" || path === "";
    // what the file system or SQLite refuses (a folder, not a database, read-only) is the user's choice of path
    const cannot = (error: unknown): InputError => new InputError(
        `${visible(path)}: cannot use it as the database (${(error as { code?: string }).code ?? "error"}: ${visible((error as Error).message ?? String(error))})`);
    let db: Database.Database;
    try {
        if (!readonly && !inMemory) makeDirSync(dirname(path));
        db = readonly
            ? new Database(path, { readonly: true, fileMustExist: true })
            : new Database(path);
    } catch (error) {
        throw cannot(error);
    }
    try {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        db.pragma("foreign_keys = ON");
        if (!readonly) db.pragma("journal_mode = WAL");
        migrate(db, path, readonly);
        // a file SQLite could only open for reading fails here, before anything runs, not at the first save
        if (!readonly && !inMemory) db.transaction(() => undefined).immediate();
        return db;
    } catch (error) {
        db.close();
        throw error instanceof Database.SqliteError ? cannot(error) : error;
    }
}

/** The schema version stored in the database (`PRAGMA user_version`). */
export function schemaVersion(db: Database.Database): number {
    return db.pragma("user_version", { simple: true }) as number;
}

/** Apply the migrations the database lacks, each in its own transaction together with its `user_version`. */
function migrate(db: Database.Database, path: string, readonly: boolean): void {
    const current = schemaVersion(db);
    const latest = migrations.length;
    if (current > latest)
        throw new InputError(
            `${path}: database schema version ${current} is newer than this gguf-bench knows (${latest}): ` +
            "update gguf-bench, or choose another database with --db"
        );
    if (current === latest) return;
    if (readonly)
        throw new InputError(
            `${path}: database schema version ${current}, expected ${latest}: ` +
            (current === 0 ? "not a gguf-bench database" : "run `npm run bench` once to migrate it")
        );

    // foreign keys off while migrating (SQLite's procedure for rebuilding a table: dropping the old one must not
    // cascade), checked before they are turned back on; the pragma is a no-op inside a transaction, so it goes here
    db.pragma("foreign_keys = OFF");
    try {
        for (let version = current + 1; version <= latest; version++) {
            db.transaction(() => {
                // another process may have applied it since `current` was read (two runs opening a new database at once):
                // the immediate transaction holds the write lock, so the version read here is the one that counts
                if (schemaVersion(db) >= version) return;
                db.exec(migrations[version - 1]!);
                const broken = db.pragma("foreign_key_check") as unknown[];
                if (broken.length > 0) throw new Error(`migration ${version} left ${broken.length} row(s) with a dangling foreign key`);
                db.pragma(`user_version = ${version}`);
            }).immediate();
        }
    } finally {
        db.pragma("foreign_keys = ON");
    }
}
