/**
 * Reads a GGUF file's header (magic, version, metadata, tensor infos) with bounds checks, without loading tensors.
 *
 * node-llama-cpp's readGgufFileInfo and @huggingface/gguf both accept a file cut short (they read zeros past the
 * end), so the suite check walks the header itself: a partial download or a file that is not GGUF is bad input
 * and must be reported before anything runs.
 */
import fs from "node:fs";

/** Why `file` is not a readable GGUF model, or `null` when its header reads and its tensors fit in the file. */
export function checkGgufHeader(file: string): string | null {
    let fd: number;
    try {
        fd = fs.openSync(file, "r");
    } catch (error) {
        return `cannot open: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
    try {
        return walkHeader(new ChunkReader(fd, fs.fstatSync(fd).size));
    } catch (error) {
        if (error instanceof HeaderError) return error.message;
        throw error;
    } finally {
        fs.closeSync(fd);
    }
}

class HeaderError extends Error {}

/**
 * The largest `general.alignment` read. Every tensor of a clone is padded to it, so it scales what a clone writes:
 * llama.cpp writes 32, and a header claiming 2^31 made a dry run write a 2 GiB header and plan a 26 GiB clone.
 */
export const MAX_ALIGNMENT = 65_536;

const valueSizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const typeString = 8;
/** Arrays of arrays deeper than this are refused (llama.cpp writes none; each level recurses once). */
const maxArrayDepth = 8;
const typeArray = 9;

function walkHeader(r: ChunkReader): string | null {
    if (r.size < 4 || r.bytes(4).toString("latin1") !== "GGUF") return "not a GGUF file (bad magic)";
    const version = r.u32();
    if (version !== 2 && version !== 3) return `unsupported GGUF version ${version}`;
    const tensorCount = r.count("tensor count");
    const kvCount = r.count("metadata count");
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
        const key = r.string();
        const type = r.u32();
        if (key === "general.alignment" && type === 4) alignment = r.u32();
        else r.skipValue(type);
    }
    let lastOffset = 0;
    for (let i = 0; i < tensorCount; i++) {
        r.skipString();
        const dims = r.u32();
        if (dims < 1 || dims > 4) throw new HeaderError(`bad tensor dimension count ${dims}`);
        for (let d = 0; d < dims; d++) r.u64();
        r.u32();
        lastOffset = Math.max(lastOffset, r.u64());
    }
    if (alignment <= 0 || (alignment & (alignment - 1)) !== 0 || alignment > MAX_ALIGNMENT) throw new HeaderError(`bad alignment ${alignment} (expected a power of two up to ${MAX_ALIGNMENT})`);
    const dataStart = Math.ceil(r.pos / alignment) * alignment;
    if (tensorCount > 0 && dataStart + lastOffset >= r.size) return "truncated (tensor data ends past the end of the file)";
    return null;
}

/** Sequential reader over a file descriptor, one window at a time; reading past the end throws "truncated". */
class ChunkReader {
    pos = 0;
    private window = Buffer.alloc(0);
    private windowStart = 0;

    constructor(private readonly fd: number, readonly size: number) {}

    bytes(n: number): Buffer {
        if (this.pos + n > this.size) throw new HeaderError("truncated header");
        const offset = this.pos - this.windowStart;
        if (offset < 0 || offset + n > this.window.length) {
            this.window = Buffer.alloc(Math.min(Math.max(n, 1 << 20), this.size - this.pos));
            fs.readSync(this.fd, this.window, 0, this.window.length, this.pos);
            this.windowStart = this.pos;
        }
        const start = this.pos - this.windowStart;
        this.pos += n;
        return this.window.subarray(start, start + n);
    }

    u32(): number {
        return this.bytes(4).readUInt32LE(0);
    }

    u64(): number {
        const value = this.bytes(8).readBigUInt64LE(0);
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new HeaderError("corrupt header (64-bit value out of range)");
        return Number(value);
    }

    /** A count that must fit in what is left of the file (each item takes at least one byte). */
    count(what: string): number {
        const n = this.u64();
        if (n > this.size - this.pos) throw new HeaderError(`truncated header (${what} ${n} exceeds the file)`);
        return n;
    }

    skip(n: number): void {
        if (this.pos + n > this.size) throw new HeaderError("truncated header");
        this.pos += n;
    }

    skipString(): void {
        this.skip(this.count("string length"));
    }

    string(): string {
        const n = this.count("string length");
        if (n > 65_536) throw new HeaderError(`corrupt header (metadata key of ${n} bytes)`);
        return this.bytes(n).toString("utf8");
    }

    /** Skips one value; arrays of arrays nest at most `maxArrayDepth` deep (each level recurses once). */
    skipValue(type: number, depth = 0): void {
        if (type === typeString) return this.skipString();
        if (type === typeArray) {
            if (depth >= maxArrayDepth) throw new HeaderError(`corrupt header (arrays nested deeper than ${maxArrayDepth})`);
            const itemType = this.u32();
            const n = this.count("array length");
            if (itemType === typeString) for (let i = 0; i < n; i++) this.skipString();
            else if (valueSizes[itemType] !== undefined) this.skip(n * valueSizes[itemType]);
            else if (itemType === typeArray) for (let i = 0; i < n; i++) this.skipValue(typeArray, depth + 1);
            else throw new HeaderError(`corrupt header (unknown array type ${itemType})`);
            return;
        }
        const size = valueSizes[type];
        if (size === undefined) throw new HeaderError(`corrupt header (unknown value type ${type})`);
        this.skip(size);
    }
}
