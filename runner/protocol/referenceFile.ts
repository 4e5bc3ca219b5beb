/**
 * The cached next-token distributions of a reference model over a corpus: written once by a reference child
 * (computeReference.ts), read chunk by chunk by every config scored against it (scoreCorpus.ts).
 *
 * Layout, little-endian, every section 4-byte aligned, sections first and a footer last (so it can be written in one
 * pass without knowing the totals in advance):
 *
 *     tokens         Int32   [chunks × context]   the corpus tokens of the scored chunks (before BOS replacement)
 *     targetLogProb  Float32 [P]                  ln p(target) of each scored position (P = chunks × perChunk)
 *     top1           Int32   [P]                  the reference's most likely token
 *     tailMass       Float32 [P]                  top-K form only: the probability outside the K tokens kept
 *     logProbs       Float32 [P × vocabSize]      exact form: ln p of every token
 *     topIds         Int32   [P × K]              top-K form: the K most likely tokens, most likely first
 *     topLogProbs    Float32 [P × K]              top-K form: their ln p
 *     footer         UTF-8 JSON (`ReferenceHeader`), then its byte length (Uint32), then the 8-byte magic
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

const magic = Buffer.from("GBREF1\0\0", "latin1");
/** Version of this layout; part of every cache key, so a new layout never reads an old file. */
export const referenceFormat = 1;

export interface ReferenceHeader {
    format: number;
    model: { file: string; sha256: string };
    corpus: { sha256: string };
    context: number;
    chunks: number;
    /** Scored positions per chunk. */
    perChunk: number;
    vocabSize: number;
    /** Tokens kept per position, or null for the exact form (every token). */
    topK: number | null;
    /** The BOS token put first in each chunk, or null when the model adds none. */
    bos: number | null;
    /** Settings the reference was evaluated with (what can change its numbers). */
    settings: { kvType: string; flashAttention: boolean; batch: number };
    /** The reference's own perplexity over the scored positions. */
    perplexity: number;
    /** Wall time of the reference pass in its child. */
    computeMs: number;
    createdAt: string;
}

/** The reference rows of one chunk. */
export interface ReferenceChunk {
    targetLogProb: Float32Array;
    top1: Int32Array;
    /** Exact form: perChunk × vocabSize log-probabilities. */
    logProbs?: Float32Array;
    /** Top-K form: perChunk × K ids, their log-probabilities and each position's tail mass. */
    topIds?: Int32Array;
    topLogProbs?: Float32Array;
    tailMass?: Float32Array;
}

interface Sections {
    tokens: number;
    targetLogProb: number;
    top1: number;
    tailMass: number;
    logProbs: number;
    topIds: number;
    topLogProbs: number;
    end: number;
}

/** Byte offset of every section (4 bytes per element). */
function sections(h: Pick<ReferenceHeader, "chunks" | "context" | "perChunk" | "vocabSize" | "topK">): Sections {
    const positions = h.chunks * h.perChunk;
    const tokens = 0;
    const targetLogProb = tokens + 4 * h.chunks * h.context;
    const top1 = targetLogProb + 4 * positions;
    const tailMass = top1 + 4 * positions;
    const logProbs = tailMass + (h.topK == null ? 0 : 4 * positions);
    const topIds = logProbs + (h.topK == null ? 4 * positions * h.vocabSize : 0);
    const topLogProbs = topIds + (h.topK == null ? 0 : 4 * positions * h.topK);
    const end = topLogProbs + (h.topK == null ? 0 : 4 * positions * h.topK);
    return { tokens, targetLogProb, top1, tailMass, logProbs, topIds, topLogProbs, end };
}

/** Bytes a reference file of this shape takes (without its short footer). */
export function referenceDataBytes(h: Pick<ReferenceHeader, "chunks" | "context" | "perChunk" | "vocabSize" | "topK">): number {
    return sections(h).end;
}

/** Writes a reference file chunk by chunk into a temporary file and renames it into place on `finish`. */
export class ReferenceWriter {
    readonly #path: string;
    readonly #temp: string;
    readonly #fd: number;
    readonly #layout: Sections;
    readonly #shape: Omit<ReferenceHeader, "perplexity" | "computeMs" | "createdAt">;
    #written = 0;

    constructor(path: string, shape: Omit<ReferenceHeader, "perplexity" | "computeMs" | "createdAt" | "format">, tokens: readonly number[]) {
        this.#path = path;
        this.#temp = `${path}.${process.pid}.tmp`;
        this.#shape = { format: referenceFormat, ...shape };
        this.#layout = sections(shape);
        if (tokens.length !== shape.chunks * shape.context) throw new RangeError(`Expected ${shape.chunks * shape.context} tokens, got ${tokens.length}`);
        this.#fd = openSync(this.#temp, "w");
        this.#write(Int32Array.from(tokens), this.#layout.tokens);
    }

    /** The rows of the next chunk, in order. */
    addChunk(chunk: ReferenceChunk): void {
        const { perChunk, vocabSize, topK } = this.#shape;
        const at = this.#written * perChunk;
        const expect = (name: string, array: ArrayLike<number> | undefined, length: number) => {
            if (array?.length !== length) throw new RangeError(`Expected ${length} values of ${name}, got ${array?.length ?? "none"}`);
        };
        expect("targetLogProb", chunk.targetLogProb, perChunk);
        expect("top1", chunk.top1, perChunk);
        this.#write(chunk.targetLogProb, this.#layout.targetLogProb + 4 * at);
        this.#write(chunk.top1, this.#layout.top1 + 4 * at);
        if (topK == null) {
            expect("logProbs", chunk.logProbs, perChunk * vocabSize);
            this.#write(chunk.logProbs!, this.#layout.logProbs + 4 * at * vocabSize);
        } else {
            expect("tailMass", chunk.tailMass, perChunk);
            expect("topIds", chunk.topIds, perChunk * topK);
            expect("topLogProbs", chunk.topLogProbs, perChunk * topK);
            this.#write(chunk.tailMass!, this.#layout.tailMass + 4 * at);
            this.#write(chunk.topIds!, this.#layout.topIds + 4 * at * topK);
            this.#write(chunk.topLogProbs!, this.#layout.topLogProbs + 4 * at * topK);
        }
        this.#written++;
    }

    /** Writes the footer and moves the file into place. Returns the header written. */
    finish(result: { perplexity: number; computeMs: number }): ReferenceHeader {
        if (this.#written !== this.#shape.chunks) throw new RangeError(`Expected ${this.#shape.chunks} chunks, got ${this.#written}`);
        const header: ReferenceHeader = { ...this.#shape, ...result, createdAt: new Date().toISOString() };
        const json = Buffer.from(JSON.stringify(header), "utf8");
        const length = Buffer.alloc(4);
        length.writeUInt32LE(json.length);
        writeSync(this.#fd, Buffer.concat([json, length, magic]), 0, json.length + 12, this.#layout.end);
        closeSync(this.#fd);
        renameSync(this.#temp, this.#path);
        return header;
    }

    /** Drops the temporary file (after a failure). */
    abort(): void {
        try {
            closeSync(this.#fd);
        } catch { /* already closed */ }
        rmSync(this.#temp, { force: true });
    }

    #write(array: Int32Array | Float32Array, position: number): void {
        const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
        writeSync(this.#fd, bytes, 0, bytes.length, position);
    }
}

/** Reads a reference file: its header at once, its rows a chunk at a time (so a large file is never all in memory). */
export class ReferenceReader {
    readonly header: ReferenceHeader;
    /** Size of the file in bytes. */
    readonly bytes: number;
    readonly #fd: number;
    readonly #layout: Sections;

    /** Throws an `Error` naming the file when it is missing, truncated or not a reference file of this format. */
    constructor(path: string) {
        this.#fd = openSync(path, "r");
        try {
            this.bytes = fstatSync(this.#fd).size;
            const tail = Buffer.alloc(12);
            if (this.bytes < 12 || readSync(this.#fd, tail, 0, 12, this.bytes - 12) !== 12 || !tail.subarray(4).equals(magic))
                throw new Error(`${path} is not a gguf-bench reference file`);
            const length = tail.readUInt32LE(0);
            const json = Buffer.alloc(length);
            readSync(this.#fd, json, 0, length, this.bytes - 12 - length);
            this.header = JSON.parse(json.toString("utf8")) as ReferenceHeader;
            this.#layout = sections(this.header);
            if (this.header.format !== referenceFormat || this.#layout.end + length + 12 !== this.bytes)
                throw new Error(`${path}: reference file of another format or truncated`);
        } catch (error) {
            closeSync(this.#fd);
            throw error;
        }
    }

    /** Scored positions in the file. */
    get positions(): number {
        return this.header.chunks * this.header.perChunk;
    }

    tokens(): Int32Array {
        return this.#read(Int32Array, this.#layout.tokens, this.header.chunks * this.header.context);
    }

    chunk(c: number): ReferenceChunk {
        const { perChunk, vocabSize, topK, chunks } = this.header;
        if (!(c >= 0 && c < chunks)) throw new RangeError(`Expected a chunk from 0 to ${chunks - 1}, got ${c}`);
        const at = c * perChunk;
        const chunk: ReferenceChunk = {
            targetLogProb: this.#read(Float32Array, this.#layout.targetLogProb + 4 * at, perChunk),
            top1: this.#read(Int32Array, this.#layout.top1 + 4 * at, perChunk)
        };
        if (topK == null) chunk.logProbs = this.#read(Float32Array, this.#layout.logProbs + 4 * at * vocabSize, perChunk * vocabSize);
        else {
            chunk.tailMass = this.#read(Float32Array, this.#layout.tailMass + 4 * at, perChunk);
            chunk.topIds = this.#read(Int32Array, this.#layout.topIds + 4 * at * topK, perChunk * topK);
            chunk.topLogProbs = this.#read(Float32Array, this.#layout.topLogProbs + 4 * at * topK, perChunk * topK);
        }
        return chunk;
    }

    close(): void {
        closeSync(this.#fd);
    }

    #read<T extends Int32Array | Float32Array>(Type: { new(buffer: ArrayBuffer): T }, position: number, count: number): T {
        const buffer = new ArrayBuffer(4 * count);
        const view = new Uint8Array(buffer);
        let done = 0;
        while (done < view.length) {
            const n = readSync(this.#fd, view, done, view.length - done, position + done);
            if (n === 0) throw new Error("reference file ended early");
            done += n;
        }
        return new Type(buffer);
    }
}
