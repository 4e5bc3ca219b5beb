import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readGgufHeader, type ByteSource } from "../../runner/models/gguf/ggufHeader.ts";
import { GgmlTypeId } from "../../runner/models/gguf/ggmlTypes.ts";
import { ggufHeaderBytes } from "../../runner/models/gguf/ggufWriter.ts";
import { fileSource } from "../../runner/models/hub/hubHeader.ts";
import { archHeader } from "./fixtures/archHeaders.ts";

/** A ByteSource over `bytes` that records every range asked for. */
function recordingSource(bytes: Uint8Array): ByteSource & { ranges: [number, number][] } {
    const ranges: [number, number][] = [];
    return {
        name: "memory.gguf",
        ranges,
        async read(start, end) {
            ranges.push([start, end]);
            return bytes.subarray(start, Math.min(end, bytes.length));
        }
    };
}

/** A header followed by `dataBytes` of tensor data (all 0xee), as a file on disk would be. */
function fileBytes(header: Uint8Array, dataBytes: number): Uint8Array {
    const bytes = new Uint8Array(header.length + dataBytes).fill(0xee);
    bytes.set(header);
    return bytes;
}

describe("readGgufHeader", () => {
    const shape = { layout: "qwen2", dim: 256, layers: 3, ffn: 512, heads: 4, kvHeads: 2 } as const;
    const { metadata, tensors } = archHeader(shape);
    const { header } = ggufHeaderBytes(metadata, tensors);

    test("gives back every key with its GGUF type and every tensor's name, shape and type, in file order", async () => {
        const read = await readGgufHeader(recordingSource(fileBytes(header, 4096)));
        expect(read.version).toBe(3);
        expect(Object.keys(read.metadata)).toEqual(Object.keys(metadata));
        for (const [key, entry] of Object.entries(metadata)) {
            expect(read.metadata[key]!.type, key).toBe(entry.type);
            expect(read.metadata[key]!.subType, key).toBe(entry.subType);
            if (typeof entry.value === "number" && entry.type === 6) expect(read.metadata[key]!.value).toBeCloseTo(entry.value, 6);
            else expect(read.metadata[key]!.value, key).toEqual(entry.value);
        }
        expect(read.tensors.map(({ name, shape, type }) => ({ name, shape, type }))).toEqual(tensors.map(({ name, shape, type }) => ({ name, shape: [...shape], type })));
        expect(read.alignment).toBe(32);
        expect(read.dataOffset).toBe(header.length);
        expect(read.dataOffset % 32).toBe(0);
    });

    test("never asks for a byte past the header, so a ranged read from the Hub downloads no weights", async () => {
        const source = recordingSource(fileBytes(header, 1 << 20));
        const read = await readGgufHeader(source);
        const furthest = Math.max(...source.ranges.map(([, end]) => end));
        expect(furthest).toBe(read.headerBytes);
        expect(read.headerBytes).toBeLessThanOrEqual(read.dataOffset);
        // the ranges are contiguous and never overlap: each byte is fetched once
        source.ranges.forEach(([start], i) => expect(start).toBe(i === 0 ? 0 : source.ranges[i - 1]![1]));
    });

    test("a header with general.alignment = 64 keeps it, and its sha256 depends on every header byte", async () => {
        const aligned = archHeader({ ...shape, alignment: 64 });
        const bytes = ggufHeaderBytes(aligned.metadata, aligned.tensors).header;
        const read = await readGgufHeader(recordingSource(bytes));
        expect(read.alignment).toBe(64);
        expect(read.dataOffset % 64).toBe(0);
        expect(read.tensors.every((tensor) => tensor.offset % 64 === 0)).toBe(true);

        const again = await readGgufHeader(recordingSource(bytes));
        expect(again.sha256).toBe(read.sha256);
        const renamed = archHeader({ ...shape, alignment: 64, name: "another name" });
        const other = await readGgufHeader(recordingSource(ggufHeaderBytes(renamed.metadata, renamed.tensors).header));
        expect(other.sha256).not.toBe(read.sha256);
    });

    test("a 3-D expert tensor keeps its three dimensions", async () => {
        const moe = archHeader({ layout: "llama-moe", dim: 256, layers: 1, ffn: 512, heads: 4, kvHeads: 2, experts: 4, matrixType: GgmlTypeId.Q4_K });
        const read = await readGgufHeader(recordingSource(ggufHeaderBytes(moe.metadata, moe.tensors).header));
        expect(read.tensors.find((t) => t.name === "blk.0.ffn_down_exps.weight")).toMatchObject({ shape: [512, 256, 4], type: GgmlTypeId.Q4_K });
    });

    test.each([
        ["not GGUF", () => new TextEncoder().encode("PK\u0003\u0004 a zip file, not a model at all......"), /memory\.gguf: not a GGUF model this tool can read \(no GGUF magic\)/],
        ["version 1", () => { const b = header.slice(); b[4] = 1; return b; }, /version 1; expected 2 or 3/],
        ["cut inside the header", () => header.subarray(0, 2000), /memory\.gguf: file ends inside its GGUF header/],
        ["an unknown tensor type", () => {
            // one F32 tensor last: its type is the uint32 before the final uint64 offset of the tensor infos
            const bytes = ggufHeaderBytes({ "general.architecture": metadata["general.architecture"]! }, [{ name: "x.weight", shape: [32], type: 0 }]).header;
            const view = new DataView(bytes.buffer);
            const typeAt = 4 + 4 + 8 + 8 + (8 + "general.architecture".length + 4 + 8 + "qwen2".length) + (8 + "x.weight".length + 4 + 8);
            view.setUint32(typeAt, 99, true);
            return bytes;
        }, /tensor x\.weight has unknown ggml type 99/]
    ])("%s: one error line naming the source", async (_, bytes, message) => {
        await expect(readGgufHeader(recordingSource(bytes()))).rejects.toThrow(message);
    });
});

describe("readGgufHeader on files", () => {
    let dir: string;
    beforeAll(async () => {
        dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-header-"));
    });
    afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
    });

    test("reads a header-only file (what a reconstructed header is) through fileSource", async () => {
        const { metadata, tensors } = archHeader({ layout: "gemma3", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2, tied: true });
        const file = path.join(dir, "gemma3.gguf");
        await writeFile(file, ggufHeaderBytes(metadata, tensors).header);
        const read = await readGgufHeader(fileSource(file));
        expect(read.metadata["general.architecture"]!.value).toBe("gemma3");
        expect(read.tensors.map((t) => t.name)).toContain("blk.1.post_ffw_norm.weight");
        expect(read.tensors.map((t) => t.name)).not.toContain("output.weight");
    });
});
