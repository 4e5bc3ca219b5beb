/**
 * Opens the results database for the report: read-only, after bringing a database of an older schema up to date
 * (a read-write open runs the migrations, as `bench` would). A missing file means no results yet: null.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { migrations } from "./migrations.ts";
import { openDatabase, schemaVersion } from "./db.ts";

/** The database at `path` opened read-only at the current schema, or null when the file does not exist. */
export function openResults(path: string): Database.Database | null {
    if (!existsSync(path)) return null;
    const probe = new Database(path, { readonly: true, fileMustExist: true });
    let version: number;
    try {
        version = schemaVersion(probe);
    } finally {
        probe.close();
    }
    // 0 is not a gguf-bench database: let the read-only open say so rather than create tables in a stranger's file
    if (version > 0 && version < migrations.length) openDatabase(path).close();
    return openDatabase(path, { readonly: true });
}
