/** The standard Hugging Face cache layout: `models--owner--name/{blobs,snapshots,refs}`. */
import { copyFile, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import type { HubFile } from "./hubList.ts";
import { commitHashPattern } from "../../suite/hubNames.ts";
import { pathInside, prepareInside } from "../insideRoot.ts";

/** `<cacheDir>/models--owner--name`, refused if it would leave `cacheDir` (repo ids are checked before, see hubNames.ts). */
export function repoFolder(cacheDir: string, repo: string): string {
    return pathInside(cacheDir, `models--${repo.split("/").join("--")}`);
}

/** The commit `refs/<revision>` names, when it holds a commit hash (anything else there is ignored). */
export async function cachedCommit(storage: string, revision: string): Promise<string | undefined> {
    if (commitHashPattern.test(revision)) return revision;
    try {
        const commit = (await readFile(pathInside(storage, "refs", revision), "utf8")).trim();
        return commitHashPattern.test(commit) ? commit : undefined;
    } catch {
        return undefined;
    }
}

export async function exists(file: string): Promise<boolean> {
    return stat(file).then(() => true, () => false);
}

/**
 * `snapshots/<commit>/<file>` → relative link to the blob, as huggingface_hub makes it; a copy where links fail.
 * Both paths must lie inside `storage` (the repo's folder of the cache).
 */
export async function linkSnapshot(storage: string, blob: string, pointer: string): Promise<void> {
    pathInside(storage, blob);
    await prepareInside(storage, pointer);
    await rm(pointer, { force: true });
    try {
        await symlink(path.relative(path.dirname(pointer), blob), pointer);
    } catch {
        await copyFile(blob, pointer);
    }
}

export function normalizeEtag(etag: string): string {
    return etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

/** The `.gguf` files of the cached snapshot `revision` points at (for offline runs); `undefined` if none is cached. */
export async function listCachedGgufFiles(repo: string, revision: string, cacheDir: string): Promise<HubFile[] | undefined> {
    const storage = repoFolder(cacheDir, repo);
    const commit = await cachedCommit(storage, revision);
    if (commit == null) return undefined;
    const snapshot = pathInside(storage, "snapshots", commit);
    let entries: string[];
    try {
        entries = await readdir(snapshot, { recursive: true });
    } catch {
        return undefined;
    }
    const files: HubFile[] = [];
    for (const entry of entries.filter((name) => /\.gguf$/i.test(name)).sort()) {
        const info = await stat(path.join(snapshot, entry)).catch(() => undefined);
        if (info?.isFile()) files.push({ path: entry.split(path.sep).join("/"), sizeBytes: info.size });
    }
    return files;
}
