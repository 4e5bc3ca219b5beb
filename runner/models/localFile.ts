/** A GGUF file on disk → ResolvedModel: size, sha256 (cached), architecture, quant and parameter count from its header. */
import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { GgmlType, GgufFileType, readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { InputError } from "../errors.ts";
import type { ModelRef } from "../plan/types.ts";
import { quantTagOf, splitParts } from "./hub/hubQuants.ts";
import type { ResolvedModel } from "./types.ts";
import { makeDir } from "../makeDir.ts";

export interface DescribeExtra {
    ref: ModelRef;
    source: ResolvedModel["source"];
    /** Hub repo, for `source: "hf"`. Defaults to none. */
    repo?: string;
    /** File name within the repo. Defaults to the base name of the path. */
    file?: string;
}

/**
 * Everything the run file records about a local GGUF file (the first part, for a split model: sizes and sha256
 * then cover all parts in order). `cacheDir` holds the sha256 cache (see `benchCacheDir()`).
 * Missing file or unreadable header → InputError naming the file.
 */
export async function describeLocalModel(filePath: string, extra: DescribeExtra, cacheDir: string): Promise<ResolvedModel> {
    const { absolute, parts, stats } = await statModelParts(filePath);

    let header: GgufFileInfo;
    try {
        header = await readGgufFileInfo(absolute, {
            logWarnings: false,
            ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"]
        });
    } catch (error) {
        throw new InputError(`${absolute} is not a readable GGUF model: ${error instanceof Error ? error.message : String(error)}`);
    }

    const sizeBytes = stats.reduce((sum, info) => sum + info.size, 0);
    const mtimeMs = Math.max(...stats.map((info) => info.mtimeMs));
    return {
        ref: extra.ref,
        source: extra.source,
        ...extra.repo != null ? { repo: extra.repo } : {},
        file: extra.file ?? path.basename(absolute),
        path: absolute,
        sha256: await cachedSha256(absolute, parts, { size: sizeBytes, mtimeMs }, cacheDir),
        sizeBytes,
        quant: quantOf(header, extra.file ?? absolute),
        arch: String(header.metadata.general?.architecture ?? "unknown"),
        parameters: parameterCount(header)
    };
}

/** The absolute path of a local model and its parts' stats (all parts of a split model); one missing → InputError. */
export async function statModelParts(filePath: string): Promise<{ absolute: string; parts: string[]; stats: Stats[] }> {
    const absolute = path.resolve(filePath);
    const parts = splitParts(absolute);
    const stats: Stats[] = [];
    for (const part of parts) {
        const info = await stat(part).catch(() => undefined);
        if (info == null || !info.isFile()) throw new InputError(`model file not found: ${part}`);
        stats.push(info);
    }
    return { absolute, parts, stats };
}

// ---------------------------------------------------------------- header facts

/** llama.cpp's `llama_ftype` number → the name llama-quantize uses (`15` → `Q4_K_M`, `0` → `F32`). */
export function fileTypeName(fileType: number | undefined): string | undefined {
    if (fileType == null) return undefined;
    const name = (GgufFileType as unknown as Record<number, string | undefined>)[fileType];
    return name?.replace(/^(MOSTLY|ALL)_/, "");
}

/** `general.file_type`, else the tag in the file name, else the type holding most weights (`F32` for stories260K). */
export function quantOf(header: GgufFileInfo, fileName: string): string {
    const fromHeader = fileTypeName(header.metadata.general?.file_type);
    if (fromHeader != null) return fromHeader;
    const fromName = quantTagOf(fileName);
    if (fromName != null) return fromName;

    const elementsByType = new Map<GgmlType, number>();
    for (const tensor of header.fullTensorInfo ?? []) {
        if (tensor.dimensions.length < 2) continue; // norms and biases stay F32 in every quant
        elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + elementCount(tensor.dimensions));
    }
    const dominant = [...elementsByType].sort((a, b) => b[1] - a[1])[0];
    return dominant == null ? "unknown" : GgmlType[dominant[0]] ?? "unknown";
}

function elementCount(dimensions: readonly (number | bigint)[]): number {
    return dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
}

/** `general.parameter_count` when the converter wrote it, else the sum of all tensors' element counts. */
export function parameterCount(header: GgufFileInfo): number {
    const written = (header.metadata.general as Record<string, unknown> | undefined)?.["parameter_count"];
    if ((typeof written === "number" || typeof written === "bigint") && Number(written) > 0) return Number(written);
    return (header.fullTensorInfo ?? []).reduce((sum, tensor) => sum + elementCount(tensor.dimensions), 0);
}

// ---------------------------------------------------------------- sha256, cached

interface ShaCacheEntry {
    size: number;
    mtimeMs: number;
    sha256: string;
}

type ShaCache = Record<string, ShaCacheEntry>;

/** The sha256 cache file: `{ "<absolute path>": { size, mtimeMs, sha256 } }`; an entry counts only while size and mtime match. */
export function shaCacheFile(cacheDir: string): string {
    return path.join(cacheDir, "sha256-cache.json");
}

async function readShaCache(file: string): Promise<ShaCache> {
    try {
        const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
        return parsed != null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed as ShaCache : {};
    } catch {
        return {};
    }
}

async function cachedSha256(key: string, parts: string[], identity: { size: number; mtimeMs: number }, cacheDir: string): Promise<string> {
    const file = shaCacheFile(cacheDir);
    const hit = (await readShaCache(file))[key];
    if (hit != null && hit.size === identity.size && hit.mtimeMs === identity.mtimeMs && /^[0-9a-f]{64}$/.test(hit.sha256)) {
        return hit.sha256;
    }

    const sha256 = await sha256Files(parts);
    try {
        await makeDir(cacheDir);
        const cache = await readShaCache(file); // re-read: another process may have added entries meanwhile
        cache[key] = { ...identity, sha256 };
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify(cache, null, 1) + "\n");
        await rename(temp, file);
    } catch {
        // a cache we cannot write only costs a re-hash next time
    }
    return sha256;
}

/** sha256 of the files' bytes in order (one file: its plain sha256), streamed. */
export async function sha256Files(files: readonly string[]): Promise<string> {
    const hash = createHash("sha256");
    for (const file of files) {
        for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    }
    return hash.digest("hex");
}
