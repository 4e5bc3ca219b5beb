/**
 * Streams a GGUF v3 file (ggml/docs/gguf.md): header + metadata (serialized by @huggingface/gguf's
 * `serializeGgufMetadata`), tensor infos, padding to `general.alignment` (32 when the metadata has none), then each
 * tensor's data, aligned. @huggingface/gguf has no tensor-info writer, so that part is here.
 */
import { open } from "node:fs/promises";
import { serializeGgufMetadata, GGUFValueType, type GGUFTypedMetadata, type MetadataValue } from "@huggingface/gguf";
import { elementCount, ggmlBytes } from "./ggmlTypes.ts";

export { GGUFValueType };

/** One metadata value with its GGUF type (`subType` for arrays). */
export interface GgufMetadataEntry {
    type: GGUFValueType;
    value: MetadataValue;
    subType?: GGUFValueType;
}

export interface GgufTensorSpec {
    name: string;
    /** ggml order: `shape[0]` is the row length (ne0). */
    shape: readonly number[];
    /** `enum ggml_type` number (see ggmlTypes.ts). */
    type: number;
}

/** Produces a tensor's encoded bytes in order; the chunks must add up to exactly the tensor's size. */
export type TensorDataSource = (tensor: GgufTensorSpec, index: number) => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** GGUF's default alignment, used when the metadata has no `general.alignment`. */
export const GGUF_ALIGNMENT = 32;

/** Bytes of a tensor's data in the file, before alignment padding. */
export function tensorByteSize(tensor: GgufTensorSpec): number {
    return ggmlBytes(tensor.type, elementCount(tensor.shape));
}

/** The alignment a file with this metadata uses: `general.alignment`, else 32. */
export function ggufAlignment(metadata: Record<string, GgufMetadataEntry>): number {
    const entry = metadata["general.alignment"];
    if (entry == null) return GGUF_ALIGNMENT;
    const value = Number(entry.value);
    if (entry.type !== GGUFValueType.UINT32 || value <= 0 || (value & (value - 1)) !== 0)
        throw new Error(`general.alignment must be a uint32 power of two, got ${String(entry.value)}`);
    return value;
}

/** Bytes of the whole file: header, then each tensor's data padded to the alignment. */
export function ggufFileSize(metadata: Record<string, GgufMetadataEntry>, tensors: readonly GgufTensorSpec[]): number {
    return fileSize(ggufHeaderBytes(metadata, tensors).header.length, tensors, ggufAlignment(metadata));
}

function fileSize(headerLength: number, tensors: readonly GgufTensorSpec[], alignment: number): number {
    return tensors.reduce((size, tensor) => size + pad(tensorByteSize(tensor), alignment), headerLength);
}

/** Everything before the tensor data (already padded to the alignment), and each tensor's offset in the data section. */
export function ggufHeaderBytes(metadata: Record<string, GgufMetadataEntry>, tensors: readonly GgufTensorSpec[]): {
    header: Uint8Array;
    offsets: number[];
} {
    const alignment = ggufAlignment(metadata);
    const typed = {
        version: { value: 3, type: GGUFValueType.UINT32 },
        tensor_count: { value: BigInt(tensors.length), type: GGUFValueType.UINT64 },
        kv_count: { value: BigInt(Object.keys(metadata).length), type: GGUFValueType.UINT64 },
        ...metadata
    } as GGUFTypedMetadata;
    // alignment 1: no padding after the key/values, the tensor infos follow directly
    const kvBytes = serializeGgufMetadata(typed, { alignment: 1 });

    const infos: Uint8Array[] = [];
    const offsets: number[] = [];
    let dataOffset = 0;
    for (const tensor of tensors) {
        offsets.push(dataOffset);
        infos.push(tensorInfoBytes(tensor, dataOffset));
        dataOffset = pad(dataOffset + tensorByteSize(tensor), alignment);
    }
    const unpadded = kvBytes.length + infos.reduce((sum, b) => sum + b.length, 0);
    const header = new Uint8Array(pad(unpadded, alignment));
    header.set(kvBytes, 0);
    let at = kvBytes.length;
    for (const info of infos) {
        header.set(info, at);
        at += info.length;
    }
    return { header, offsets };
}

/**
 * Write a whole GGUF file, streaming each tensor's data from `source`. `onProgress` hears the bytes written so far
 * and the file's total after every write.
 */
export async function writeGgufFile(
    outPath: string,
    metadata: Record<string, GgufMetadataEntry>,
    tensors: readonly GgufTensorSpec[],
    source: TensorDataSource,
    onProgress?: (written: number, total: number) => void
): Promise<void> {
    const { header } = ggufHeaderBytes(metadata, tensors);
    const alignment = ggufAlignment(metadata);
    const total = fileSize(header.length, tensors, alignment);
    const file = await open(outPath, "w");
    try {
        let position = 0;
        const write = async (bytes: Uint8Array) => {
            await file.write(bytes, 0, bytes.length, position);
            position += bytes.length;
            onProgress?.(position, total);
        };
        await write(header);
        for (const [index, tensor] of tensors.entries()) {
            const expected = tensorByteSize(tensor);
            let written = 0;
            for await (const chunk of source(tensor, index)) {
                await write(chunk);
                written += chunk.length;
            }
            if (written !== expected)
                throw new Error(`Tensor ${tensor.name}: expected ${expected} bytes of data, got ${written}`);
            const padding = pad(written, alignment) - written;
            if (padding > 0)
                await write(new Uint8Array(padding));
        }
    } finally {
        await file.close();
    }
}

function tensorInfoBytes(tensor: GgufTensorSpec, offset: number): Uint8Array {
    const name = new TextEncoder().encode(tensor.name);
    const bytes = new Uint8Array(8 + name.length + 4 + 8 * tensor.shape.length + 4 + 8);
    const view = new DataView(bytes.buffer);
    let at = 0;
    view.setBigUint64(at, BigInt(name.length), true);
    at += 8;
    bytes.set(name, at);
    at += name.length;
    view.setUint32(at, tensor.shape.length, true);
    at += 4;
    for (const dim of tensor.shape) {
        view.setBigUint64(at, BigInt(dim), true);
        at += 8;
    }
    view.setUint32(at, tensor.type, true);
    at += 4;
    view.setBigUint64(at, BigInt(offset), true);
    return bytes;
}

function pad(n: number, alignment: number): number {
    return Math.ceil(n / alignment) * alignment;
}
