/**
 * Hugging Face Hub downloads (listing is hubList.ts): one file into the standard HF cache
 * (`models--owner--name/blobs/<etag>`, `snapshots/<commit>/<file>` → `../../blobs/<etag>`, `refs/<revision>`), the
 * layout huggingface_hub and @huggingface/hub's `downloadFileToCacheDir` use, so each reuses the other's files.
 *
 * The download is our own rather than `downloadFileToCacheDir`: that one cannot resume a partial `.incomplete` file,
 * reports no progress, writes no `refs/<revision>`, always asks the Hub (`paths-info`) before looking in the cache,
 * and so fails offline even when the file is there.
 */
import { lstat, open, readFile, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { InputError } from "../../errors.ts";
import { formatBytes } from "../../format/bytes.ts";
import { withCacheLock } from "../cacheLock.ts";
import { cachedCommit, exists, linkSnapshot, normalizeEtag, repoFolder } from "./hubCache.ts";
import { httpError, HubUnreachableError, sameOrigin, unreachable } from "./hubErrors.ts";
import { requestSignal, type HubOptions } from "./hubRequest.ts";
import { assertHubNames, checkHubAnswer, commitHashPattern } from "../../suite/hubNames.ts";
import { pathInside, prepareInside } from "../insideRoot.ts";

export { requestSignal, type HubOptions };

export interface DownloadOptions extends HubOptions {
    /** Hub cache directory (see `hubCacheDir()`). */
    cacheDir: string;
    /** Called as bytes arrive (at most ~10 times a second, and once at the end). Defaults to none. */
    onProgress?: (done: number, total: number) => void;
    /** Called when another process is downloading the same file and this one waits for it. Defaults to none. */
    onWait?: (owner: string) => void;
}

const idleTimeoutMs = 60_000;

export interface FileMetadata {
    commit: string;
    etag: string;
    size: number | undefined;
    /** Where to GET the bytes: the CDN the Hub redirects to, or the resolve URL itself. */
    url: string;
}

/** HEAD `/<repo>/resolve/<revision>/<file>` without following the CDN redirect: commit, etag, size (as huggingface_hub). */
export async function fileMetadata(
    repo: string, revision: string, file: string, opts: HubOptions, doing = `downloading ${repo}/${file}`
): Promise<FileMetadata> {
    let url = `${opts.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`;
    for (let hop = 0; hop < 5; hop++) {
        let response: Response;
        try {
            response = await fetch(url, {
                method: "HEAD",
                redirect: "manual",
                headers: { "Accept-Encoding": "identity", ...opts.token != null && sameOrigin(url, opts.endpoint) ? { Authorization: `Bearer ${opts.token}` } : {} },
                signal: requestSignal(opts)
            });
        } catch (error) {
            opts.signal?.throwIfAborted();
            throw unreachable(opts.endpoint, doing, error);
        }
        const location = response.headers.get("Location");
        if (response.status >= 300 && response.status < 400 && location?.startsWith("/")) {
            url = new URL(location, url).href; // renamed repo: follow the Hub's relative redirect
            continue;
        }
        if (response.status >= 400) throw httpError(response.status, response.headers.get("X-Error-Code"), { ...opts, repo, revision, file }, doing);
        const commit = response.headers.get("X-Repo-Commit");
        const etag = response.headers.get("X-Linked-Etag") ?? response.headers.get("ETag");
        if (commit == null || etag == null) throw new Error(`${opts.endpoint} sent no X-Repo-Commit/ETag for ${repo}/${file}: is HF_ENDPOINT a Hugging Face Hub?`);
        const size = Number(response.headers.get("X-Linked-Size") ?? response.headers.get("Content-Length") ?? NaN);
        checkHubAnswer(opts.endpoint, `${repo}/${file}`, commit, normalizeEtag(etag));
        return {
            commit,
            etag: normalizeEtag(etag),
            size: Number.isFinite(size) ? size : undefined,
            url: response.status >= 300 && location != null ? new URL(location, url).href : url
        };
    }
    throw new Error(`too many redirects while ${doing}`);
}

interface Target {
    repo: string;
    revision: string;
    file: string;
}

const inFlight = new Map<string, Promise<void>>();

/**
 * `file` of `repo` at `revision`, from the cache or downloaded into it; returns the snapshot path
 * (`<cacheDir>/models--owner--name/snapshots/<commit>/<file>`). Resumes a partial `blobs/<etag>.incomplete`
 * with an HTTP Range request (also retrying within the call when the connection drops). Offline, falls back to
 * the snapshot `refs/<revision>` points at.
 */
export async function downloadHubFile(repo: string, revision: string, file: string, opts: DownloadOptions): Promise<string> {
    // the one door into the cache: names from a suite, an argument or a Hub listing are checked here again
    assertHubNames({ repo, revision, file }, `downloading ${repo}/${file}`);
    const storage = repoFolder(opts.cacheDir, repo);
    if (commitHashPattern.test(revision)) {
        const pointer = pathInside(storage, "snapshots", revision, file);
        if (await exists(pointer)) return pointer;
    }

    let meta: FileMetadata;
    try {
        meta = await fileMetadata(repo, revision, file, opts);
    } catch (error) {
        if (!(error instanceof HubUnreachableError) || opts.signal?.aborted) throw error;
        const commit = await cachedCommit(storage, revision);
        const pointer = commit == null ? undefined : pathInside(storage, "snapshots", commit, file);
        if (pointer != null && await exists(pointer)) return pointer;
        throw error;
    }

    if (revision !== meta.commit) {
        const ref = pathInside(storage, "refs", revision);
        await prepareInside(storage, ref);
        if (await readFile(ref, "utf8").catch(() => "") !== meta.commit) await writeFile(ref, meta.commit);
    }
    const pointer = pathInside(storage, "snapshots", meta.commit, file);
    if (await exists(pointer)) return pointer;

    const blob = pathInside(storage, "blobs", meta.etag);
    if (!await exists(blob)) {
        let pending = inFlight.get(blob);
        if (pending == null) {
            // one download per blob in this process (inFlight), and across processes (the lock beside the blob)
            pending = prepareInside(storage, blob)
                .then(() => withCacheLock(`${blob}.gguf-bench-lock`, async () => {
                    if (!await exists(blob)) await fetchBlob(blob, meta, { repo, revision, file }, opts);
                }, { ...opts.signal != null ? { signal: opts.signal } : {}, ...opts.onWait != null ? { onWait: opts.onWait } : {} }))
                .finally(() => inFlight.delete(blob));
            inFlight.set(blob, pending);
        }
        await pending;
    }
    await linkSnapshot(storage, blob, pointer);
    return pointer;
}

async function fetchBlob(blob: string, meta: FileMetadata, target: Target, opts: DownloadOptions): Promise<void> {
    const doing = `downloading ${target.repo}/${target.file}`;
    const incomplete = `${blob}.incomplete`;
    const total = meta.size ?? 0;
    let lastReport = 0;
    const report = (done: number, force = false): void => {
        if (opts.onProgress == null) return;
        const now = Date.now();
        if (force || now - lastReport >= 100) {
            lastReport = now;
            opts.onProgress(done, total);
        }
    };

    await checkRoom(blob, meta.size, doing);
    let failures = 0;
    for (;;) {
        let offset = (await lstat(incomplete).catch(() => undefined))?.size ?? 0;
        if (meta.size != null && offset > meta.size) {
            await rm(incomplete, { force: true });
            offset = 0;
        }
        if (meta.size == null || offset < meta.size) {
            const before = offset;
            try {
                offset = await fetchRange(incomplete, offset, meta, target, opts, report);
            } catch (error) {
                if (error instanceof InputError) throw error;
                opts.signal?.throwIfAborted(); // Ctrl-C: stop now, keep what arrived for the next run
                offset = (await lstat(incomplete).catch(() => undefined))?.size ?? 0;
                failures = offset > before ? 0 : failures + 1;
                if (failures >= 3) throw error instanceof HubUnreachableError ? error : unreachable(opts.endpoint, doing, error);
                await delay(250 * failures);
                continue; // resume from what arrived
            }
        }
        if (meta.size != null && offset !== meta.size) {
            throw new Error(`${target.repo}/${target.file}: got ${offset} bytes, expected ${meta.size}; run again to resume`);
        }
        break;
    }
    await rename(incomplete, blob);
    report(meta.size ?? (await stat(blob)).size, true);
}

/** A file the Hub says is larger than the free space of the cache's disk is refused before a byte is written. */
async function checkRoom(blob: string, size: number | undefined, doing: string): Promise<void> {
    if (size == null) return;
    const have = (await lstat(`${blob}.incomplete`).catch(() => undefined))?.size ?? 0;
    const disk = await statfs(path.dirname(blob)).catch(() => undefined);
    if (disk == null) return;
    const free = disk.bavail * disk.bsize;
    if (size - have > free)
        throw new Error(`${doing}: the Hub says it is ${formatBytes(size)}, and the cache's disk has ${formatBytes(free)} free (${path.dirname(blob)})`);
}

/** GET from `offset` (Range when > 0), appending to `incomplete`; returns the new size. */
async function fetchRange(
    incomplete: string, offset: number, meta: FileMetadata, target: Target,
    opts: DownloadOptions, report: (done: number) => void
): Promise<number> {
    const headers: Record<string, string> = { "Accept-Encoding": "identity" };
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    if (opts.token != null && sameOrigin(meta.url, opts.endpoint)) headers.Authorization = `Bearer ${opts.token}`;
    // a stalled connection fails after `idleTimeoutMs` without bytes, and the retry loop resumes it
    const controller = new AbortController();
    const idle = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
    const signal = opts.signal == null ? controller.signal : AbortSignal.any([opts.signal, controller.signal]);
    try {
        return await receive(incomplete, offset, meta.url, headers, signal, idle, target, opts, report);
    } finally {
        clearTimeout(idle);
    }
}

async function receive(
    incomplete: string, offset: number, url: string, headers: Record<string, string>, signal: AbortSignal,
    idle: NodeJS.Timeout, target: Target, opts: DownloadOptions, report: (done: number) => void
): Promise<number> {
    const response = await fetch(url, { headers, signal });
    if (response.status === 416 && offset > 0) {
        await rm(incomplete, { force: true });
        throw new Error("range not satisfiable; restarting");
    }
    if (!response.ok || response.body == null) {
        throw httpError(response.status, response.headers.get("X-Error-Code"), { ...opts, ...target }, `downloading ${target.repo}/${target.file}`);
    }
    let done = offset;
    if (offset > 0 && response.status !== 206) done = 0; // the server ignored Range: start over
    if (response.status === 206) {
        const start = Number(/bytes (\d+)-/.exec(response.headers.get("Content-Range") ?? "")?.[1]);
        if (start !== offset) {
            await response.body.cancel();
            await rm(incomplete, { force: true });
            throw new Error(`server resumed at ${start}, expected ${offset}; restarting`);
        }
    }
    const handle = await open(incomplete, done > 0 ? "a" : "w");
    try {
        for await (const chunk of response.body) {
            await handle.write(chunk);
            done += chunk.length;
            idle.refresh();
            report(done);
        }
    } finally {
        await handle.close();
    }
    return done;
}
