/** ModelRef → ResolvedModel: a local path, a Hugging Face file (downloaded into the HF cache) or a synthetic model. */
import { realpath, rm } from "node:fs/promises";
import path from "node:path";
import type { ModelRef } from "../plan/types.ts";
import { benchCacheDir, hubCacheDir, hubEndpoint, hubToken } from "../paths.ts";
import { downloadHubFile } from "./hub/hub.ts";
import { listGgufFiles } from "./hub/hubList.ts";
import { listCachedGgufFiles } from "./hub/hubCache.ts";
import { realInside } from "./insideRoot.ts";
import { HubUnreachableError } from "./hub/hubErrors.ts";
import { matchQuant, splitParts } from "./hub/hubQuants.ts";
import { describeLocalModel } from "./localFile.ts";
import { ensureSyntheticModel } from "./synthetic/synthetic.ts";
import type { ResolvedModel } from "./types.ts";
import { cloneHeader, ensureClone, planClone, type CloneSpec } from "./synthetic/clone.ts";
import { readLikeHeader, type CloneOriginal } from "./synthetic/cloneSource.ts";
import type { FileTypeName } from "./gguf/fileTypes.ts";
import { InputError } from "../errors.ts";
import { likeLabel } from "../suite/parseLike.ts";

export interface ResolveOptions {
    /** One directory for Hub downloads, synthetic models and the sha256 cache, like `GGUF_BENCH_CACHE`. Defaults to `hubCacheDir()` for Hub files and `benchCacheDir()` for the rest. */
    cacheDir?: string;
    /** Hub base URL. Defaults to `hubEndpoint()` (`HF_ENDPOINT` or `https://huggingface.co`). */
    endpoint?: string;
    /** Hub token. Defaults to `hubToken()` (`HF_TOKEN`, else the token huggingface-cli saved). */
    token?: string;
    /** Progress in bytes of each file downloaded, or of a synthetic clone being written. Defaults to none. */
    onProgress?: (done: number, total: number, file: string, activity: "downloading" | "writing") => void;
    /** Called when another process holds the download of the same file and this one waits. Defaults to none. */
    onWait?: (owner: string, file: string) => void;
    /** Aborts Hub requests and downloads (Ctrl-C). Defaults to none. */
    signal?: AbortSignal;
    /** Write nothing (no Hub header cached): `--dry-run`. Defaults to false. */
    readOnly?: boolean;
}

/** A synthetic clone's ref. */
export type CloneRef = Extract<ModelRef, { like: unknown }>;

/** A ModelRef whose Hub file is known (quant picked). */
export type FileModelRef = Exclude<ModelRef, { source: "hf"; quant: string }>;

/**
 * Cheap check before anything runs: an hf ref with `quant` becomes the ref of its file (the first part of a split
 * model), after listing the repo (or, offline, the cached snapshot); other refs come back as they are.
 * A repo without that quant, or with several files for it → InputError (exit 2).
 */
export async function resolveModelFile(ref: ModelRef, opts: ResolveOptions = {}): Promise<FileModelRef> {
    if (ref.source === "synthetic" && "like" in ref) {
        await cloneOriginal(ref, opts); // a header that cannot be read or cloned is bad input, found before anything runs
        return ref;
    }
    if (ref.source !== "hf" || !("quant" in ref)) return ref;
    let files;
    try {
        files = await listGgufFiles(ref.repo, ref.revision, hubOptions(opts));
    } catch (error) {
        if (!(error instanceof HubUnreachableError)) throw error;
        files = await listCachedGgufFiles(ref.repo, ref.revision, opts.cacheDir ?? hubCacheDir());
        if (files == null || files.length === 0) throw error;
    }
    const [file] = matchQuant(ref.repo, files, ref.quant);
    return { source: "hf", repo: ref.repo, revision: ref.revision, file: file! };
}

/** The local file of `ref` and its facts; downloads Hub files (all parts of a split model) first. */
export async function resolveModel(ref: ModelRef, opts: ResolveOptions = {}): Promise<ResolvedModel> {
    const shaCacheDir = opts.cacheDir ?? benchCacheDir();
    switch (ref.source) {
        case "path":
            return describeLocalModel(ref.path, { ref, source: "path" }, shaCacheDir);
        case "synthetic": {
            if ("like" in ref) {
                const file = await ensureClone(await cloneOriginal(ref, opts), cloneSpec(ref), {
                    cacheDir: shaCacheDir,
                    ...(opts.onProgress != null ? { onProgress: (done, total) => opts.onProgress!(done, total, likeLabel(ref.like), "writing") } : {})
                });
                return { ...await describeLocalModel(file, { ref, source: "synthetic" }, shaCacheDir), clonedFrom: likeLabel(ref.like) };
            }
            type Spec = Parameters<typeof ensureSyntheticModel>[0];
            const file = await ensureSyntheticModel({ preset: ref.preset, quant: ref.quant, seed: ref.seed } as Spec, shaCacheDir);
            return describeLocalModel(file, { ref, source: "synthetic" }, shaCacheDir);
        }
        case "hf": {
            const { repo, revision, file } = await resolveModelFile(ref, opts) as Extract<FileModelRef, { source: "hf" }>;
            const local: string[] = [];
            for (const part of splitParts(file)) {
                local.push(await downloadHubFile(repo, revision, part, {
                    ...hubOptions(opts),
                    cacheDir: opts.cacheDir ?? hubCacheDir(),
                    onProgress: opts.onProgress == null ? undefined : (done, total) => opts.onProgress!(done, total, part, "downloading"),
                    onWait: opts.onWait == null ? undefined : (owner) => opts.onWait!(owner, part)
                }));
            }
            const model = await describeLocalModel(local[0]!, { ref, source: "hf", repo, file }, shaCacheDir);
            if (local.length === 1) await checkBlobSha(model, local[0]!, opts.cacheDir ?? hubCacheDir());
            return model;
        }
    }
}

/** A clone's header alone, in memory (for --dry-run estimates: nothing is written), and the size the clone will have. */
export async function cloneHeaderBytes(ref: CloneRef, opts: ResolveOptions = {}): Promise<{ header: Uint8Array; sizeBytes: number }> {
    const { header, plan } = cloneHeader(await cloneOriginal(ref, opts), cloneSpec(ref));
    return { header, sizeBytes: plan.sizeBytes };
}

export function cloneSpec(ref: CloneRef): CloneSpec {
    return { source: likeLabel(ref.like), seed: ref.seed, ...(ref.quant != null ? { fileType: ref.quant as FileTypeName } : {}) };
}

/** The header a clone copies; an unreadable one, or one with a type that cannot be written, is bad input. */
export async function cloneOriginal(ref: CloneRef, opts: ResolveOptions = {}): Promise<CloneOriginal> {
    try {
        const original = await readLikeHeader(ref.like, { ...hubOptions(opts), cacheDir: opts.cacheDir ?? benchCacheDir(), ...opts.readOnly === true ? { readOnly: true } : {} });
        planClone(original, cloneSpec(ref));
        return original;
    } catch (error) {
        if (error instanceof HubUnreachableError || error instanceof InputError) throw error;
        throw new InputError(`synthetic clone of ${likeLabel(ref.like)}: ${error instanceof Error ? error.message : String(error)}`);
    }
}

function hubOptions(opts: ResolveOptions): { endpoint: string; token?: string; signal?: AbortSignal } {
    const token = opts.token ?? hubToken();
    return { endpoint: opts.endpoint ?? hubEndpoint(), ...token != null ? { token } : {}, ...opts.signal != null ? { signal: opts.signal } : {} };
}

/**
 * LFS blobs are named by their sha256: a mismatch means a corrupt (e.g. badly resumed) download; drop it, but only
 * where the snapshot's link really leads into the cache (never delete what a link points at elsewhere).
 */
async function checkBlobSha(model: ResolvedModel, snapshotPath: string, cacheDir: string): Promise<void> {
    const blob = await realpath(snapshotPath);
    const expected = path.basename(blob);
    if (!/^[0-9a-f]{64}$/.test(expected) || expected === model.sha256) return;
    const removable = await realInside(cacheDir, blob) && await realInside(cacheDir, path.dirname(snapshotPath));
    if (removable) {
        await rm(blob, { force: true });
        await rm(snapshotPath, { force: true });
    }
    throw new Error(`${model.repo}/${model.file}: sha256 ${model.sha256} differs from the Hub's ${expected}; ${removable ? "removed the corrupt download, run again" : `${snapshotPath} leads outside the cache, left as it is`}`);
}
