/**
 * Folders made one level at a time. Node's `mkdir(…, { recursive: true })` loops forever at full CPU where the
 * kernel answers ENOENT for a folder whose parent exists (`/proc/1/x`, found with a cache path there); here each
 * missing level is made once, and the first that cannot be is an error naming the folder and the reason.
 */
import { mkdirSync, statSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";

/** Thrown when a folder cannot be made: the message names the folder and the system's reason. */
export class MakeDirError extends Error {
    override readonly name = "MakeDirError";
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** The missing folders from the top down, up to and including `dir` (none when it exists). */
function missing(dir: string, exists: (p: string) => boolean): string[] {
    const levels: string[] = [];
    for (let at = path.resolve(dir); !exists(at); at = path.dirname(at)) {
        levels.unshift(at);
        if (path.dirname(at) === at) break;
    }
    return levels;
}

/** Whether something is at `p` (a few levels are looked at, synchronously). */
function exists(p: string): boolean {
    try {
        statSync(p);
        return true;
    } catch {
        return false;
    }
}

const fail = (dir: string, level: string, error: unknown) =>
    new MakeDirError(`cannot create the folder ${dir}${level === path.resolve(dir) ? "" : ` (at ${level})`}: ${code(error)}`);

export async function makeDir(dir: string): Promise<void> {
    for (const level of missing(dir, exists)) {
        try {
            await mkdir(level);
        } catch (error) {
            if (code(error) === "EEXIST" && (await stat(level).catch(() => undefined))?.isDirectory()) continue;
            throw fail(dir, level, error);
        }
    }
}

export function makeDirSync(dir: string): void {
    for (const level of missing(dir, exists)) {
        try {
            mkdirSync(level);
        } catch (error) {
            if (code(error) === "EEXIST") {
                try {
                    if (statSync(level).isDirectory()) continue;
                } catch { /* fall through */ }
            }
            throw fail(dir, level, error);
        }
    }
}
