/**
 * Finds GGUF files under the locations, read-only: folders are listed, links followed to files only (never into
 * folders, so a link loop cannot trap the walk), Ollama manifests read to name their model blobs. A folder that
 * cannot be read, a broken link and a manifest that does not parse are skipped with a note.
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { kindNames, type Location, type LocationKind } from "./locations.ts";

export interface FoundFile {
    /** Absolute path as found (a link's own path, as the tools name it). */
    path: string;
    /** The file it resolves to: two names of one file are found once. */
    real: string;
    kind: LocationKind;
    /** What the tool calls it: `owner/repo` (Hugging Face), `llama3.2:3b` (Ollama); null for a plain file. */
    name: string | null;
}

export interface ScanResult {
    files: FoundFile[];
    /** One line each: what was skipped and why. */
    notes: string[];
}

/** Deepest folder level walked below a location (LM Studio: publisher/repo/file; the hub: models--x/snapshots/rev/sub/file). */
const maxDepth = 8;
const ollamaModelLayer = "application/vnd.ollama.image.model";

export async function scanLocations(locations: readonly Location[]): Promise<ScanResult> {
    const result: ScanResult = { files: [], notes: [] };
    const seen = new Set<string>();
    const add = (file: FoundFile) => {
        if (seen.has(file.real)) return;
        seen.add(file.real);
        result.files.push(file);
    };
    for (const location of locations) {
        const info = await stat(location.dir).catch((error: NodeJS.ErrnoException) => error);
        if (info instanceof Error || !info.isDirectory()) {
            if (location.given) result.notes.push(`${location.dir}: ${info instanceof Error ? reason(info) : "not a folder"}; skipped`);
            continue;
        }
        const ollama = location.kind === "ollama" || (location.given && await isOllamaStore(location.dir));
        if (ollama) await scanOllama(location.dir, add, result.notes);
        else await walk(location.dir, 0, location, add, result.notes);
    }
    return result;
}

function reason(error: NodeJS.ErrnoException): string {
    return error.code === "ENOENT" ? "no such folder" : error.code === "EACCES" || error.code === "EPERM" ? "not readable" : (error.code ?? error.message);
}

/** A folder's entries in name order; none, with a note, when it cannot be read. */
async function listDir(dir: string, notes: string[]) {
    try {
        return (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
        notes.push(`${dir}: ${reason(error as NodeJS.ErrnoException)}; skipped`);
        return [];
    }
}

async function isOllamaStore(dir: string): Promise<boolean> {
    const [manifests, blobs] = await Promise.all(["manifests", "blobs"].map((sub) => stat(path.join(dir, sub)).then((s) => s.isDirectory(), () => false)));
    return manifests === true && blobs === true;
}

async function walk(dir: string, depth: number, location: Location, add: (file: FoundFile) => void, notes: string[]): Promise<void> {
    for (const entry of await listDir(dir, notes)) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            // the hub's blobs/ hold the same bytes as snapshots/ under hashed names: the snapshots name them
            if (location.kind === "hf" && entry.name === "blobs") continue;
            if (depth < maxDepth) await walk(full, depth + 1, location, add, notes);
            continue;
        }
        if (!/\.gguf$/i.test(entry.name)) continue;
        if (entry.isSymbolicLink()) {
            const target = await stat(full).catch(() => null);
            if (target == null) {
                notes.push(`${full}: a broken link; skipped`);
                continue;
            }
            if (!target.isFile()) continue;
        } else if (!entry.isFile()) continue;
        const real = await realpath(full).catch(() => full);
        add({ path: full, real, kind: location.kind, name: location.kind === "hf" ? hubRepoOf(full) : null });
    }
}

/** `…/models--owner--repo/snapshots/…` → `owner/repo`. */
function hubRepoOf(file: string): string | null {
    const part = file.split(path.sep).find((p) => p.startsWith("models--"));
    return part == null ? null : part.slice("models--".length).split("--").join("/");
}

/**
 * Ollama's store: `manifests/<registry>/<namespace>/<model>/<tag>` (JSON; the layer of media type
 * `application/vnd.ollama.image.model` names the weights by digest) and `blobs/sha256-<hex>`.
 */
async function scanOllama(root: string, add: (file: FoundFile) => void, notes: string[]): Promise<void> {
    const manifests: string[] = [];
    const list = async (dir: string, depth: number): Promise<void> => {
        for (const entry of await listDir(dir, notes)) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory() && depth < 4) await list(full, depth + 1);
            else if (entry.isFile() && depth === 3) manifests.push(full);
        }
    };
    await list(path.join(root, "manifests"), 0);
    for (const manifest of manifests) {
        const [, namespace, model, tag] = path.relative(path.join(root, "manifests"), manifest).split(path.sep);
        const name = `${namespace === "library" ? "" : `${namespace}/`}${model}:${tag}`;
        let digest: string | undefined;
        try {
            const parsed = JSON.parse(await readFile(manifest, "utf8")) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
            const layer = parsed.layers?.find((l) => l.mediaType === ollamaModelLayer);
            digest = typeof layer?.digest === "string" ? layer.digest : undefined;
        } catch {
            notes.push(`${manifest}: not an Ollama manifest (JSON with layers); skipped`);
            continue;
        }
        if (digest == null || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
            notes.push(`${manifest}: no model layer; skipped`);
            continue;
        }
        const blob = path.join(root, "blobs", digest.replace(":", "-"));
        const info = await stat(blob).catch(() => null);
        if (info == null || !info.isFile()) {
            notes.push(`${name}: its model blob ${blob} is missing; skipped`);
            continue;
        }
        add({ path: blob, real: await realpath(blob).catch(() => blob), kind: "ollama", name });
    }
}

/** `Hugging Face cache`, `Ollama`, …: how a found file's source is shown. */
export function sourceName(file: FoundFile): string {
    return kindNames[file.kind];
}
