/**
 * The GGUF header of a Hub file, read with HTTP range requests only (never the weights: see ggufHeader.ts), and
 * kept under `<cache>/clone-headers/` so a second run, or an offline one, needs no network. Cache entries are named
 * by hashes of (repo, commit, file), never by the names themselves, so no name from a suite can reach a path.
 */
import { createHash } from "node:crypto";
import { open, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { readGgufHeader, type ByteSource, type GgufHeader } from "../gguf/ggufHeader.ts";
import { fileMetadata, requestSignal, type HubOptions } from "./hub.ts";
import { exists } from "./hubCache.ts";
import { HubUnreachableError, httpError, sameOrigin, unreachable } from "./hubErrors.ts";
import { assertHubNames, commitHashPattern } from "../../suite/hubNames.ts";
import { makeDir } from "../../makeDir.ts";

export interface HubHeaderOptions extends HubOptions {
    /** gguf-bench's cache (see `benchCacheDir()`). */
    cacheDir: string;
    /** Called with the bytes of each range response, as they are counted. Defaults to none. */
    onBytes?: (bytes: number) => void;
    /** Read the cache but never write it (a header fetched stays in memory): `--dry-run`. Defaults to false. */
    readOnly?: boolean;
}

export interface HubFileRef {
    repo: string;
    revision: string;
    file: string;
}

const hash = (...parts: string[]): string => createHash("sha256").update(parts.join("\0")).digest("hex");

/** The header of `ref`: from the cache when its commit's copy is there, else by range requests (then cached). */
export async function readHubHeader(ref: HubFileRef, opts: HubHeaderOptions): Promise<GgufHeader> {
    assertHubNames(ref, `reading the header of ${ref.repo}/${ref.file}`);
    const dir = path.join(opts.cacheDir, "clone-headers");
    const cached = (commit: string) => path.join(dir, `${hash(ref.repo, commit, ref.file)}.gguf-header`);
    const refFile = path.join(dir, "refs", hash(ref.repo, ref.revision, ref.file));
    if (commitHashPattern.test(ref.revision) && await exists(cached(ref.revision))) return readCachedHeader(cached(ref.revision));

    const doing = `reading the header of ${ref.repo}/${ref.file}`;
    let meta;
    try {
        meta = await fileMetadata(ref.repo, ref.revision, ref.file, opts, doing);
    } catch (error) {
        if (!(error instanceof HubUnreachableError) || opts.signal?.aborted) throw error;
        const commit = (await readFile(refFile, "utf8").catch(() => "")).trim();
        if (commitHashPattern.test(commit) && await exists(cached(commit))) return readCachedHeader(cached(commit));
        throw error;
    }
    const file = cached(meta.commit);
    let fetched: GgufHeader | undefined;
    if (!await exists(file)) {
        const header = fetched = await readGgufHeader(rangeSource(meta.url, `${ref.repo}/${ref.file}`, ref, opts));
        if (opts.readOnly === true) return header;
        await makeDir(dir);
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, header.bytes);
        await rename(temp, file).catch(async (error: unknown) => {
            await rm(temp, { force: true });
            throw error;
        });
    }
    if (ref.revision !== meta.commit && opts.readOnly !== true) {
        await makeDir(path.dirname(refFile));
        await writeFile(refFile, meta.commit);
    }
    // just fetched: the header in hand is the one cached (parsed once, not again from the file)
    return fetched ?? readCachedHeader(file);
}

/** A local file as a ByteSource (the whole file is never read: only what the header reader asks for). */
export function fileSource(file: string, name = file): ByteSource {
    return {
        name,
        async read(start, end) {
            const handle = await open(file, "r");
            try {
                const buffer = new Uint8Array(end - start);
                const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
                return buffer.subarray(0, bytesRead);
            } finally {
                await handle.close();
            }
        }
    };
}

/** The response body, or undefined (and the connection dropped) as soon as it passes `limit` bytes. */
async function readAtMost(response: Response, limit: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(limit);
    let length = 0;
    for await (const chunk of response.body ?? []) {
        if (length + chunk.length > limit) {
            await response.body?.cancel().catch(() => undefined);
            return undefined;
        }
        out.set(chunk, length);
        length += chunk.length;
    }
    return out.subarray(0, length);
}

function readCachedHeader(file: string): Promise<GgufHeader> {
    return readGgufHeader(fileSource(file));
}

/** Ranged GETs of `url`; a server that ignores `Range` is refused rather than downloaded from. */
function rangeSource(url: string, name: string, ref: HubFileRef, opts: HubHeaderOptions): ByteSource {
    const doing = `reading the header of ${name}`;
    return {
        name,
        async read(start, end) {
            const headers: Record<string, string> = { Range: `bytes=${start}-${end - 1}`, "Accept-Encoding": "identity" };
            if (opts.token != null && sameOrigin(url, opts.endpoint)) headers.Authorization = `Bearer ${opts.token}`;
            let response: Response;
            try {
                response = await fetch(url, { headers, signal: requestSignal(opts) });
            } catch (error) {
                opts.signal?.throwIfAborted();
                throw unreachable(opts.endpoint, doing, error);
            }
            if (response.status === 416) {
                await response.body?.cancel();
                return new Uint8Array(0); // past the end: the reader reports a truncated header
            }
            if (response.status !== 206) {
                await response.body?.cancel();
                if (response.ok) throw new Error(`${opts.endpoint} ignored the Range header while ${doing}; refusing to download the whole file`);
                throw httpError(response.status, response.headers.get("X-Error-Code"), { ...opts, ...ref }, doing);
            }
            const from = Number(/^bytes (\d+)-/.exec(response.headers.get("Content-Range") ?? "")?.[1]);
            const body = from === start ? await readAtMost(response, end - start) : undefined;
            if (body == null) throw new Error(`${opts.endpoint} answered the wrong range while ${doing}`);
            opts.onBytes?.(body.length);
            return body;
        }
    };
}
