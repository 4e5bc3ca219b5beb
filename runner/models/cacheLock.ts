/**
 * A lock across processes on one file of the model cache, so two runs downloading the same blob never write the
 * same `.incomplete` file at once. The lock is a file made with O_EXCL holding its owner's pid and host; the owner
 * touches it while it works. A lock whose owner is gone (no such pid on this host, or untouched for `staleMs`) is
 * taken over. Node has no flock(2), and huggingface_hub's own `.locks` files stay on disk after use (filelock), so
 * this lock lives beside the blob under its own name instead.
 */
import { hostname } from "node:os";
import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";

export interface CacheLockOptions {
    /** Stops waiting (and the work, through the same signal). Defaults to none. */
    signal?: AbortSignal;
    /** Called once when the lock is held by someone else, before waiting. Defaults to none. */
    onWait?: (owner: string) => void;
    /** A lock untouched this long is stale whoever holds it. Defaults to `60000`. */
    staleMs?: number;
    /** How often to look again while waiting. Defaults to `250`. */
    pollMs?: number;
}

interface Owner {
    pid: number;
    host: string;
}

/** Runs `work` while holding the lock file `lockPath`; waits for another holder to finish first. */
export async function withCacheLock<T>(lockPath: string, work: () => Promise<T>, opts: CacheLockOptions = {}): Promise<T> {
    const staleMs = opts.staleMs ?? 60_000;
    const pollMs = opts.pollMs ?? 250;
    let warned = false;
    for (;;) {
        opts.signal?.throwIfAborted();
        const handle = await open(lockPath, "wx").catch((error: NodeJS.ErrnoException) => {
            if (error.code === "EEXIST") return undefined;
            throw error;
        });
        if (handle != null) {
            try {
                await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
            } finally {
                await handle.close();
            }
            break;
        }
        const owner = await readOwner(lockPath);
        if (await isStale(lockPath, owner, staleMs)) {
            await rm(lockPath, { force: true });
            continue;
        }
        if (!warned) {
            warned = true;
            opts.onWait?.(owner == null ? "another process" : `process ${owner.pid} on ${owner.host}`);
        }
        await delay(pollMs, undefined, opts.signal ? { signal: opts.signal } : {});
    }
    const touch = setInterval(() => void utimes(lockPath, new Date(), new Date()).catch(() => undefined), Math.max(1000, staleMs / 4));
    try {
        return await work();
    } finally {
        clearInterval(touch);
        await rm(lockPath, { force: true });
    }
}

async function readOwner(lockPath: string): Promise<Owner | undefined> {
    try {
        const parsed = JSON.parse(await readFile(lockPath, "utf8")) as Partial<Owner>;
        return typeof parsed.pid === "number" && typeof parsed.host === "string" ? { pid: parsed.pid, host: parsed.host } : undefined;
    } catch {
        return undefined; // being written right now, or not ours: judged by its age
    }
}

async function isStale(lockPath: string, owner: Owner | undefined, staleMs: number): Promise<boolean> {
    if (owner != null && owner.host === hostname() && !isAlive(owner.pid)) return true;
    const info = await stat(lockPath).catch(() => undefined);
    if (info == null) return false; // gone meanwhile: the next try takes it
    return Date.now() - info.mtimeMs > staleMs;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
