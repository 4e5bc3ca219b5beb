/**
 * What a synthetic clone copies: the header of the file `synthetic: { like: … }` names (suite/parseLike.ts), every
 * part of a split model, read without its weights.
 */
import { createHash } from "node:crypto";
import { readGgufHeader, type GgufHeader } from "../gguf/ggufHeader.ts";
import { fileSource, readHubHeader, type HubHeaderOptions } from "../hub/hubHeader.ts";
import { splitParts } from "../hub/hubQuants.ts";
import type { LikeRef } from "../../suite/types.ts";

/** The parts of a header a clone copies; for a split model, all parts' tensors in order. */
export type CloneOriginal = Pick<GgufHeader, "metadata" | "tensors" | "alignment" | "sha256">;

/** The header of `like`; a split model's parts are read one by one and merged as llama.cpp loads them. */
export async function readLikeHeader(like: LikeRef, hub: HubHeaderOptions): Promise<CloneOriginal> {
    const parts = splitParts("path" in like ? like.path : like.file);
    const headers: GgufHeader[] = [];
    for (const part of parts) {
        headers.push("path" in like
            ? await readGgufHeader(fileSource(part))
            : await readHubHeader({ repo: like.repo, revision: like.revision, file: part }, hub));
    }
    if (headers.length === 1) return headers[0]!;
    const [first] = headers;
    const metadata = { ...first!.metadata };
    for (const key of ["split.no", "split.count", "split.tensors.count"]) delete metadata[key];
    return {
        metadata,
        tensors: headers.flatMap((header) => header.tensors),
        alignment: first!.alignment,
        sha256: createHash("sha256").update(headers.map((header) => header.sha256).join("\n")).digest("hex")
    };
}
