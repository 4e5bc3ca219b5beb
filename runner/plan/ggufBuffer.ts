/**
 * node-llama-cpp's GGUF parser over bytes in memory, so `--dry-run` estimates a header it built or fetched without
 * writing it to a file. node-llama-cpp 3.22's public `readGgufFileInfo` reads only a path or a URL; its parser
 * (`parseGguf`) takes any `GgufFileReader`, and a reader that is not its filesystem reader hands the header to the
 * estimate simulator as a buffer (`sourceData` of type `buffer`). Neither is exported, so they are imported from the
 * package's files (the version is pinned exactly in package.json; a moved file fails here, loudly, not silently).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { GgufFileInfo } from "node-llama-cpp";

interface ReadOffset { offset: number; moveBy(by: number): void }
interface Internals {
    parseGguf(options: { fileReader: object; readTensorInfo?: boolean; logWarnings?: boolean }): Promise<GgufFileInfo>;
    GgufFileReader: new () => { _buffer: Buffer };
    GgufReadOffset: { resolveReadOffset(offset: number | ReadOffset): ReadOffset };
}

let internals: Promise<Internals> | undefined;

function loadInternals(): Promise<Internals> {
    const dist = path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
    const load = (file: string) => import(pathToFileURL(path.join(dist, "gguf", file)).href);
    return internals ??= Promise.all([load("parser/parseGguf.js"), load("fileReaders/GgufFileReader.js"), load("utils/GgufReadOffset.js")])
        .then(([parser, reader, offset]) => ({ parseGguf: parser.parseGguf, GgufFileReader: reader.GgufFileReader, GgufReadOffset: offset.GgufReadOffset }));
}

/** What `readGgufFileInfo(path)` gives for a file holding `bytes` (a header alone is enough), read from memory. */
export async function readGgufBuffer(bytes: Uint8Array): Promise<GgufFileInfo> {
    const { parseGguf, GgufFileReader, GgufReadOffset } = await loadInternals();
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const inRange = (offset: number | ReadOffset, length: number): ReadOffset => {
        const at = GgufReadOffset.resolveReadOffset(offset);
        if (at.offset + length > buffer.length) throw new Error(`GGUF header ends at byte ${buffer.length}; ${at.offset + length} needed`);
        return at;
    };
    class BufferReader extends GgufFileReader {
        constructor() {
            super();
            this._buffer = buffer;
        }
        readByteRange(offset: number | ReadOffset, length: number): Buffer {
            const at = inRange(offset, length);
            const bytes = buffer.subarray(at.offset, at.offset + length);
            at.moveBy(length);
            return bytes;
        }
        ensureHasByteRange(offset: number | ReadOffset, length: number): undefined {
            inRange(offset, length);
            return undefined;
        }
    }
    return parseGguf({ fileReader: new BufferReader(), readTensorInfo: true, logWarnings: false });
}
