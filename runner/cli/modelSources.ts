/** How the bench command reaches models: an early check, download-only prefetch, and full resolution. */
import path from "node:path";
import type { ModelRef } from "../plan/types.ts";
import { visible } from "../format/visible.ts";
import type { ResolvedModel } from "../models/types.ts";
import { hubCacheDir, hubEndpoint, hubToken } from "../paths.ts";
import { downloadHubFile } from "../models/hub/hub.ts";
import { HubUnreachableError } from "../models/hub/hubErrors.ts";
import { splitParts } from "../models/hub/hubQuants.ts";
import { cloneHeaderBytes, resolveModel, resolveModelFile, type FileModelRef, type ResolveOptions } from "../models/resolve.ts";
import { statModelParts } from "../models/localFile.ts";
import { syntheticFileName, syntheticHeader, type SyntheticModelSpec } from "../models/synthetic/synthetic.ts";

export interface ModelSources {
    /** Picks the file of every hf quant before anything runs: a missing quant is an InputError (exit 2). */
    checkAll(refs: ModelRef[]): Promise<void>;
    /** Downloads a Hub model's bytes (network only, no hashing: safe while another config measures); `signal` stops it. */
    prefetch(ref: ModelRef, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void>;
    /** Downloads a Hub model or writes a synthetic model (`activity` says which), then describes it. */
    resolve(ref: ModelRef, onProgress?: (done: number, total: number, activity: "downloading" | "writing") => void, signal?: AbortSignal): Promise<ResolvedModel>;
    /** The file a ref points at once resolved, without downloading (for --dry-run). */
    fileOf(ref: ModelRef): Promise<FileModelRef>;
    /**
     * For --dry-run, which writes nothing: a local file's path, or a synthetic model's or clone's header built in
     * memory, with the name and size the plan shows (the size the model will have once written).
     */
    headerOf(ref: Exclude<FileModelRef, { source: "hf" }>): Promise<{ file: string; sizeBytes: number; header: string | Uint8Array }>;
}

export function modelSources(options: ResolveOptions = {}, warn: (line: string) => void = (line) => console.error(`warning: ${visible(line)}`)): ModelSources {
    const files = new Map<string, Promise<FileModelRef>>();
    const fileOf = (ref: ModelRef) => {
        const key = JSON.stringify(ref);
        let file = files.get(key);
        if (file == null) files.set(key, (file = resolveModelFile(ref, options)));
        return file;
    };
    const onWait = (owner: string, file: string) => warn(`${owner} is downloading ${file} into the same cache: waiting for it`);
    return {
        fileOf,
        async headerOf(ref) {
            if (ref.source === "path") {
                const { absolute, stats } = await statModelParts(ref.path);
                return { file: path.basename(absolute), sizeBytes: stats.reduce((sum, info) => sum + info.size, 0), header: absolute };
            }
            if ("like" in ref) return { ...await cloneHeaderBytes(ref, options), file: "(clone, written when run)" };
            const spec = { preset: ref.preset, quant: ref.quant, seed: ref.seed } as SyntheticModelSpec;
            return { ...syntheticHeader(spec), file: syntheticFileName(spec) };
        },
        async checkAll(refs) {
            const warned = new Set<string>();
            for (const ref of refs) {
                try {
                    await fileOf(ref);
                } catch (error) {
                    if (!(error instanceof HubUnreachableError)) throw error;
                    if (!warned.has(error.message)) warn(`${error.message}; those configs will fail unless the model is cached`);
                    warned.add(error.message);
                }
            }
        },
        async prefetch(ref, onProgress, signal) {
            if (ref.source !== "hf") return;
            const file = await fileOf(ref);
            if (file.source !== "hf") return;
            const token = options.token ?? hubToken();
            for (const part of splitParts(file.file))
                await downloadHubFile(file.repo, file.revision, part, {
                    endpoint: options.endpoint ?? hubEndpoint(),
                    cacheDir: options.cacheDir ?? hubCacheDir(),
                    ...(token != null ? { token } : {}),
                    ...(onProgress != null ? { onProgress } : {}),
                    ...(signal != null ? { signal } : {}),
                    onWait: (owner) => onWait(owner, part)
                });
        },
        async resolve(ref, onProgress, signal) {
            const file = ref.source === "hf" ? await fileOf(ref) : ref;
            return resolveModel(file, {
                ...options,
                ...(onProgress != null ? { onProgress: (done, total, _, activity) => onProgress(done, total, activity) } : {}),
                ...(signal != null ? { signal } : {}),
                onWait
            });
        }
    };
}
