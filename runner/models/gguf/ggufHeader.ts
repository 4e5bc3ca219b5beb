/**
 * Reads a GGUF header (ggml/docs/gguf.md, versions 2 and 3): every key/value with its GGUF type, every tensor's name,
 * shape and type, the alignment, and where the tensor data starts. The bytes come from a `ByteSource` in growing
 * ranges, and no range ever reaches past the header: each request ends at or before the smallest size the rest of
 * the header could have, so reading a header from the Hub never downloads a byte of weights.
 *
 * @huggingface/gguf's and node-llama-cpp's readers fetch fixed-size chunks (past the header when it is small) and
 * keep no value types, which a byte-faithful clone needs; hence this reader.
 */
import { createHash } from "node:crypto";
import { GGUFValueType, type GgufMetadataEntry } from "./ggufWriter.ts";
import { blockElements, ggmlTypeName } from "./ggmlTypes.ts";
import { dict } from "../../dict.ts";
// the bound lives with the suite's header check (suite/ sits below models/ in the layer order)
import { MAX_ALIGNMENT } from "../../suite/checkGgufHeader.ts";

/** Where header bytes come from: a local file or ranged HTTP requests. */
export interface ByteSource {
    /** What to name in errors: a path or `OWNER/REPO/FILE`. */
    name: string;
    /** Bytes `[start, end)`; fewer only at the end of the file. */
    read(start: number, end: number): Promise<Uint8Array>;
}

export interface GgufTensorInfo {
    name: string;
    /** ggml order: `shape[0]` is the row length (ne0). */
    shape: number[];
    /** `enum ggml_type` number. */
    type: number;
    /** Offset of the tensor's data from the start of the data section. */
    offset: number;
}

export interface GgufHeader {
    version: number;
    /** Every key/value in file order, with its GGUF type. */
    metadata: Record<string, GgufMetadataEntry>;
    tensors: GgufTensorInfo[];
    /** `general.alignment`, else 32. */
    alignment: number;
    /** Length of the header proper (magic to the last tensor info), before padding. */
    headerBytes: number;
    /** Where the tensor data starts: `headerBytes` padded to the alignment. */
    dataOffset: number;
    /** The header's bytes `[0, headerBytes)`. */
    bytes: Uint8Array;
    /** sha256 of `bytes`: identifies what a clone copies. */
    sha256: string;
}

/** The longest metadata array read (a 250k-token vocabulary is the longest real one); each item is held in memory. */
export const MAX_ARRAY_LENGTH = 10_000_000;

/** Headers larger than this are refused (the largest real ones, with 250k-token vocabularies, are ~20 MB). */
export const MAX_HEADER_BYTES = 512 * 1024 * 1024;

const MIN_KV_BYTES = 8 + 4 + 1; // empty key, type, a one-byte value
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8; // empty name, no dims, type, offset
const scalarBytes: Partial<Record<GGUFValueType, number>> = {
    [GGUFValueType.UINT8]: 1, [GGUFValueType.INT8]: 1, [GGUFValueType.UINT16]: 2, [GGUFValueType.INT16]: 2,
    [GGUFValueType.UINT32]: 4, [GGUFValueType.INT32]: 4, [GGUFValueType.FLOAT32]: 4, [GGUFValueType.BOOL]: 1,
    [GGUFValueType.UINT64]: 8, [GGUFValueType.INT64]: 8, [GGUFValueType.FLOAT64]: 8
};
const minValueBytes = (type: GGUFValueType): number => scalarBytes[type] ?? (type === GGUFValueType.STRING ? 8 : 12);

export async function readGgufHeader(source: ByteSource): Promise<GgufHeader> {
    const r = new PrefixReader(source);
    const bad = (what: string): never => {
        throw new Error(`${source.name}: not a GGUF model this tool can read (${what})`);
    };
    await r.ensure(24, 0);
    if (r.string4() !== "GGUF") bad("no GGUF magic");
    const version = r.u32();
    if (version !== 2 && version !== 3) bad(`version ${version}; expected 2 or 3`);
    const tensorCount = r.count(1e7, "tensor count");
    const kvCount = r.count(1e6, "key/value count");

    const metadata: Record<string, GgufMetadataEntry> = dict();
    for (let i = 0; i < kvCount; i++) {
        const rest = (kvCount - i - 1) * MIN_KV_BYTES + tensorCount * MIN_TENSOR_INFO_BYTES;
        const key = await r.str(4 + 1 + rest);
        await r.ensure(4, 1 + rest);
        const type = r.u32() as GGUFValueType;
        if (type === GGUFValueType.ARRAY) {
            await r.ensure(12, rest);
            const subType = r.u32() as GGUFValueType;
            if (subType === GGUFValueType.ARRAY) bad(`${key} is an array of arrays`);
            const length = r.count(MAX_ARRAY_LENGTH, `length of ${key}`);
            const value = new Array(length);
            for (let j = 0; j < length; j++)
                value[j] = await r.value(subType, (length - j - 1) * minValueBytes(subType) + rest, key);
            metadata[key] = { type, subType, value };
        } else {
            metadata[key] = { type, value: await r.value(type, rest, key) };
        }
    }

    const tensors: GgufTensorInfo[] = [];
    for (let t = 0; t < tensorCount; t++) {
        const rest = (tensorCount - t - 1) * MIN_TENSOR_INFO_BYTES;
        const name = await r.str(16 + rest);
        await r.ensure(4, 12 + rest);
        const dims = r.u32();
        if (dims < 1 || dims > 4) bad(`tensor ${name} has ${dims} dimensions`);
        await r.ensure(8 * dims + 12, rest);
        const shape = Array.from({ length: dims }, () => r.count(2 ** 40, `a dimension of ${name}`));
        const type = r.u32();
        const offset = r.count(2 ** 52, `offset of ${name}`);
        if (ggmlTypeName(type) == null) bad(`tensor ${name} has unknown ggml type ${type}`);
        if (shape.some((n) => n < 1) || shape[0]! % blockElements(type) !== 0) bad(`tensor ${name} has shape [${shape.join(", ")}]`);
        tensors.push({ name, shape, type, offset });
    }

    const alignmentEntry = metadata["general.alignment"];
    const alignment = alignmentEntry == null ? 32 : Number(alignmentEntry.value);
    if (alignmentEntry != null && (alignmentEntry.type !== GGUFValueType.UINT32 || alignment <= 0 || (alignment & (alignment - 1)) !== 0))
        bad(`general.alignment ${String(alignmentEntry.value)} is not a power of two`);
    if (alignment > MAX_ALIGNMENT) bad(`general.alignment ${alignment} is over ${MAX_ALIGNMENT}`);
    const headerBytes = r.pos;
    const bytes = r.bytes(0, headerBytes).slice();
    return {
        version,
        metadata,
        tensors,
        alignment,
        headerBytes,
        dataOffset: Math.ceil(headerBytes / alignment) * alignment,
        bytes,
        sha256: createHash("sha256").update(bytes).digest("hex")
    };
}

/** A growing prefix of the source, fetched in ranges that never pass what the header can still hold. */
class PrefixReader {
    pos = 0;
    #buf = new Uint8Array(64 * 1024);
    #length = 0;
    #chunk = 64 * 1024;
    readonly #decoder = new TextDecoder("utf-8");

    constructor(private readonly source: ByteSource) {}

    /** Make `n` bytes from `pos` available; `after` is the least the header still holds after them. */
    async ensure(n: number, after: number): Promise<void> {
        const need = this.pos + n;
        if (need <= this.#length) return;
        if (need > MAX_HEADER_BYTES) throw new Error(`${this.source.name}: GGUF header larger than ${MAX_HEADER_BYTES} bytes`);
        const end = Math.min(need + after, MAX_HEADER_BYTES, Math.max(need, this.#length + this.#chunk));
        const got = await this.source.read(this.#length, end);
        if (this.#length + got.length < need) throw new Error(`${this.source.name}: file ends inside its GGUF header`);
        if (this.#length + got.length > this.#buf.length) {
            const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#length + got.length));
            grown.set(this.#buf.subarray(0, this.#length));
            this.#buf = grown;
        }
        this.#buf.set(got, this.#length);
        this.#length += got.length;
        this.#chunk = Math.min(this.#chunk * 2, 8 * 1024 * 1024);
    }

    bytes(start: number, end: number): Uint8Array {
        return this.#buf.subarray(start, end);
    }

    #view(n: number): DataView {
        const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.pos, n);
        this.pos += n;
        return view;
    }

    u32(): number {
        return this.#view(4).getUint32(0, true);
    }

    string4(): string {
        return this.#decoder.decode(this.#buf.subarray(this.pos, (this.pos += 4)));
    }

    /** A uint64 count or size, at most `max`. */
    count(max: number, what: string): number {
        const value = this.#view(8).getBigUint64(0, true);
        if (value > BigInt(max)) throw new Error(`${this.source.name}: ${what} ${value} is out of range`);
        return Number(value);
    }

    /** A length-prefixed UTF-8 string. */
    async str(after: number): Promise<string> {
        await this.ensure(8, after);
        const length = this.count(MAX_HEADER_BYTES, "string length");
        await this.ensure(length, after);
        return this.#decoder.decode(this.#buf.subarray(this.pos, (this.pos += length)));
    }

    async value(type: GGUFValueType, after: number, key: string): Promise<GgufMetadataEntry["value"]> {
        if (type === GGUFValueType.STRING) return this.str(after);
        const size = scalarBytes[type];
        if (size == null) throw new Error(`${this.source.name}: ${key} has unknown GGUF value type ${type}`);
        await this.ensure(size, after);
        const view = this.#view(size);
        switch (type) {
            case GGUFValueType.UINT8: return view.getUint8(0);
            case GGUFValueType.INT8: return view.getInt8(0);
            case GGUFValueType.UINT16: return view.getUint16(0, true);
            case GGUFValueType.INT16: return view.getInt16(0, true);
            case GGUFValueType.UINT32: return view.getUint32(0, true);
            case GGUFValueType.INT32: return view.getInt32(0, true);
            case GGUFValueType.FLOAT32: return view.getFloat32(0, true);
            case GGUFValueType.BOOL: return view.getUint8(0) !== 0;
            case GGUFValueType.UINT64: return view.getBigUint64(0, true);
            case GGUFValueType.INT64: return view.getBigInt64(0, true);
            default: return view.getFloat64(0, true);
        }
    }
}
