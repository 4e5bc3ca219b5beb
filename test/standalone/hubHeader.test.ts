import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { readLikeHeader } from "../../runner/models/synthetic/cloneSource.ts";
import { readGgufHeader } from "../../runner/models/gguf/ggufHeader.ts";
import { ggufHeaderBytes } from "../../runner/models/gguf/ggufWriter.ts";
import { HubUnreachableError } from "../../runner/models/hub/hubErrors.ts";
import { readHubHeader } from "../../runner/models/hub/hubHeader.ts";
import { GGUFValueType } from "../../runner/models/gguf/ggufWriter.ts";
import { archHeader } from "./fixtures/archHeaders.ts";
import { refusedEndpoint, startFakeHub, type FakeHub } from "./fakeHub.ts";

const token = "hf_fake_token";
const weights = 3 * 1024 * 1024;

/** A whole GGUF file: the header of `layout`, then `weights` bytes standing in for tensor data. */
function ggufFile(extra: Record<string, number> = {}): Buffer {
    const { metadata, tensors } = archHeader({ layout: "qwen2", dim: 256, layers: 2, ffn: 512, heads: 4, kvHeads: 2 });
    for (const [key, value] of Object.entries(extra)) metadata[key] = { type: GGUFValueType.UINT16, value };
    const header = ggufHeaderBytes(metadata, tensors).header;
    return Buffer.concat([header, Buffer.alloc(weights, 0xee)]);
}
const model = ggufFile();
const part1 = ggufFile({ "split.no": 0, "split.count": 2 });
const part2 = ggufFile({ "split.no": 1, "split.count": 2 });

let hub: FakeHub;
let cacheDir: string;
beforeAll(async () => {
    hub = await startFakeHub({
        token,
        repos: {
            "acme/Tiny-GGUF": { files: [{ path: "tiny-q4_k_m.gguf", content: model }] },
            "acme/Split-GGUF": { files: [{ path: "big-00001-of-00002.gguf", content: part1 }, { path: "big-00002-of-00002.gguf", content: part2 }] },
            "acme/Private-GGUF": { private: true, files: [{ path: "m.gguf", content: model }] }
        }
    });
});
afterAll(() => hub.close());
afterEach(async () => {
    hub.requests.length = 0;
    await rm(cacheDir, { recursive: true, force: true });
});
async function options(overrides: { endpoint?: string; token?: string } = {}) {
    cacheDir ??= await mkdtemp(path.join(tmpdir(), "gguf-bench-hubheader-"));
    return { endpoint: hub.endpoint, cacheDir, ...overrides };
}

/** Bytes the CDN was asked for, from the recorded Range headers (a GET without Range would be the whole file). */
function rangedBytes(): { total: number; furthest: number; unranged: number } {
    const gets = hub.requests.filter((r) => r.server === "cdn" && r.method === "GET");
    let total = 0;
    let furthest = 0;
    for (const request of gets) {
        const match = /^bytes=(\d+)-(\d+)$/.exec(request.range ?? "");
        if (match == null) continue;
        total += Number(match[2]) - Number(match[1]) + 1;
        furthest = Math.max(furthest, Number(match[2]) + 1);
    }
    return { total, furthest, unranged: gets.filter((r) => !/^bytes=\d+-\d+$/.test(r.range ?? "")).length };
}

describe("the header of a Hub file, by range requests only", () => {
    test("equals the file's header read locally, and the Hub serves not one byte past it", async () => {
        let counted = 0;
        const header = await readHubHeader({ repo: "acme/Tiny-GGUF", revision: "main", file: "tiny-q4_k_m.gguf" }, { ...await options(), onBytes: (n) => (counted += n) });
        const local = await readGgufHeader({ name: "local", read: async (start, end) => model.subarray(start, end) });
        expect(header.sha256).toBe(local.sha256);
        expect(header.tensors).toEqual(local.tensors);

        const { total, furthest, unranged } = rangedBytes();
        expect(unranged).toBe(0);
        expect(total).toBe(local.headerBytes); // each header byte once
        expect(furthest).toBeLessThanOrEqual(local.dataOffset);
        expect(counted).toBe(local.headerBytes);
        expect(total).toBeLessThan(model.length / 50);
    });

    test("a second read comes from the cache: one HEAD for the commit of `main`, none with the commit itself", async () => {
        const ref = { repo: "acme/Tiny-GGUF", revision: "main", file: "tiny-q4_k_m.gguf" };
        const first = await readHubHeader(ref, await options());
        hub.requests.length = 0;
        const second = await readHubHeader(ref, await options());
        expect(second.sha256).toBe(first.sha256);
        expect(hub.requests.map((r) => `${r.server} ${r.method}`)).toEqual(["hub HEAD"]);

        hub.requests.length = 0;
        await readHubHeader({ ...ref, revision: hub.commitOf("acme/Tiny-GGUF") }, await options());
        expect(hub.requests).toEqual([]);
        // cache entries are named by hashes, never by the repo or file names
        expect((await readdir(path.join(cacheDir, "clone-headers"))).every((name) => /^([0-9a-f]{64}\.gguf-header|refs)$/.test(name))).toBe(true);
    });

    test("offline, a header read before is found through the revision it was read at", async () => {
        const ref = { repo: "acme/Tiny-GGUF", revision: "main", file: "tiny-q4_k_m.gguf" };
        const first = await readHubHeader(ref, await options());
        const offline = await readHubHeader(ref, await options({ endpoint: await refusedEndpoint() }));
        expect(offline.sha256).toBe(first.sha256);
        await expect(readHubHeader({ ...ref, file: "other.gguf" }, await options({ endpoint: await refusedEndpoint() }))).rejects.toThrow(HubUnreachableError);
    });

    test("a private repo needs the token; a missing file is a one-line input error", async () => {
        const ref = { repo: "acme/Private-GGUF", revision: "main", file: "m.gguf" };
        await expect(readHubHeader(ref, await options())).rejects.toThrow(InputError);
        await expect(readHubHeader(ref, await options())).rejects.toThrow(/acme\/Private-GGUF not found or private \(401\): set HF_TOKEN/);
        expect((await readHubHeader(ref, await options({ token }))).tensors.length).toBeGreaterThan(0);
        await expect(readHubHeader({ ...ref, repo: "acme/Tiny-GGUF", file: "nope.gguf" }, await options())).rejects.toThrow(/acme\/Tiny-GGUF has no file nope\.gguf at main \(404\)/);
    });

    test("a split model is read part by part (headers only) and merged, without its split keys", async () => {
        const merged = await readLikeHeader({ repo: "acme/Split-GGUF", revision: "main", file: "big-00001-of-00002.gguf" }, await options());
        const one = await readGgufHeader({ name: "p1", read: async (start, end) => part1.subarray(start, end) });
        expect(merged.tensors).toHaveLength(2 * one.tensors.length);
        expect(Object.keys(merged.metadata).some((key) => key.startsWith("split."))).toBe(false);
        expect(rangedBytes().total).toBe(2 * one.headerBytes);
    });
});

describe("a server that ignores Range", () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
        server = createServer((req, res) => {
            const headers = { "X-Repo-Commit": "a".repeat(40), ETag: "\"etag\"", "Content-Length": String(model.length) };
            res.writeHead(200, headers);
            res.end(req.method === "HEAD" ? undefined : model);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    test("is refused instead of downloaded from", async () => {
        await expect(readHubHeader({ repo: "acme/Tiny-GGUF", revision: "main", file: "tiny.gguf" }, await options({ endpoint })))
            .rejects.toThrow(/ignored the Range header while reading the header of acme\/Tiny-GGUF\/tiny\.gguf; refusing to download the whole file/);
    });
});

test("readOnly (--dry-run) fetches the header into memory and writes nothing; a header cached earlier is read, not fetched", async () => {
    const base = await options();
    const untouched = path.join(base.cacheDir, "dry");
    const ref = { repo: "acme/Tiny-GGUF", revision: "main", file: "tiny-q4_k_m.gguf" };
    const fetched = await readHubHeader(ref, { ...base, cacheDir: untouched, readOnly: true });
    expect(Buffer.from(fetched.bytes).equals(model.subarray(0, fetched.bytes.length))).toBe(true);
    await expect(stat(untouched)).rejects.toThrow(/ENOENT/);

    await readHubHeader(ref, base); // a real run caches it
    hub.requests.length = 0;
    const cached = await readHubHeader(ref, { ...base, readOnly: true });
    expect(Buffer.from(cached.bytes).equals(Buffer.from(fetched.bytes))).toBe(true);
    expect(rangedBytes().total).toBe(0);
});
