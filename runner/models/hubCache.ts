/** The standard Hugging Face cache layout: `models--owner--name/{blobs,snapshots,refs}`. */
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import type { HubFile } from "./hub.ts";

export const commitHashPattern = /^[0-9a-f]{40}$/;

export function repoFolder(cacheDir: string, repo: string): string {
    return path.join(cacheDir, `models--${repo.split("/").join("--")}`);
}

export async function cachedCommit(storage: string, revision: string): Promise<string | undefined> {
    if (commitHashPattern.test(revision)) return revision;
    try {
        return (await readFile(path.join(storage, "refs", revision), "utf8")).trim() || undefined;
    } catch {
        return undefined;
    }
}

export async function exists(file: string): Promise<boolean> {
    return stat(file).then(() => true, () => false);
}

/** `snapshots/<commit>/<file>` → relative link to the blob, as huggingface_hub makes it; a copy where links fail. */
export async function linkSnapshot(blob: string, pointer: string): Promise<void> {
    await mkdir(path.dirname(pointer), { recursive: true });
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
    const snapshot = path.join(storage, "snapshots", commit);
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
