import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { benchCacheDir, hubCacheDir, hubEndpoint } from "../../runner/paths.ts";
import { downloadHubFile } from "../../runner/models/hub/hub.ts";
import { listGgufFiles } from "../../runner/models/hub/hubList.ts";
import { matchQuant, quantTagOf, splitParts } from "../../runner/models/hub/hubQuants.ts";
import { resolveModel, resolveModelFile } from "../../runner/models/resolve.ts";
import { refusedEndpoint, startFakeHub, type FakeHub } from "./fakeHub.ts";

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const token = "hf_secret_test_token_0123456789";
const big = randomBytes(300_000);
const small = randomBytes(5_000);
const modelsDir = process.env.GGUF_BENCH_TEST_MODELS ?? path.resolve("../shared/models");
const stories = path.join(modelsDir, "stories260K.gguf");

let hub: FakeHub;
let cacheDir: string;

beforeAll(async () => {
    hub = await startFakeHub({
        token,
        pageSize: 3, // forces @huggingface/hub to follow the Link header
        repos: {
            "Qwen/Qwen2.5-1.5B-Instruct-GGUF": {
                files: [
                    { path: "README.md", content: Buffer.from("# readme") },
                    { path: "qwen2.5-1.5b-instruct-q4_k_m.gguf", content: big },
                    { path: "qwen2.5-1.5b-instruct-q4_k_s.gguf", content: small },
                    { path: "qwen2.5-1.5b-instruct-q8_0.gguf", content: small },
                    { path: "qwen2.5-1.5b-instruct-q4_0.gguf", content: small },
                    { path: "qwen2.5-1.5b-instruct-q4_0_4_4.gguf", content: small },
                    { path: "BF16/qwen2.5-1.5b-instruct-bf16-00002-of-00002.gguf", content: small },
                    { path: "BF16/qwen2.5-1.5b-instruct-bf16-00001-of-00002.gguf", content: small }
                ]
            },
            "acme/private-GGUF": { private: true, files: [{ path: "m-Q8_0.gguf", content: small }] },
            "ggml-org/tiny-llamas": {
                files: existsSync(stories) ? [{ path: "stories260K.gguf", content: await readFile(stories) }] : []
            },
            "acme/corrupt-GGUF": {
                files: existsSync(stories) ? [{ path: "m-F32.gguf", content: await readFile(stories), announcedSha256: "0".repeat(64) }] : []
            }
        }
    });
});
afterAll(() => hub.close());

afterEach(async () => {
    hub.requests.length = 0;
    if (cacheDir != null) await rm(cacheDir, { recursive: true, force: true });
});
async function freshCache(): Promise<string> {
    cacheDir = await mkdtemp(path.join(tmpdir(), "gguf-bench-hub-"));
    return cacheDir;
}

async function allFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const qwen = "Qwen/Qwen2.5-1.5B-Instruct-GGUF";
const qwenFiles = [
    "qwen2.5-1.5b-instruct-q4_k_m.gguf", "qwen2.5-1.5b-instruct-q4_k_s.gguf", "qwen2.5-1.5b-instruct-q8_0.gguf",
    "qwen2.5-1.5b-instruct-q4_0.gguf", "qwen2.5-1.5b-instruct-q4_0_4_4.gguf", "mmproj-qwen2.5-f16.gguf",
    "BF16/qwen2.5-1.5b-instruct-bf16-00002-of-00002.gguf", "BF16/qwen2.5-1.5b-instruct-bf16-00001-of-00002.gguf"
];

describe("cache directories and endpoint", () => {
    const home = (...parts: string[]) => path.join(process.env.HOME ?? "", ...parts);
    it("follow GGUF_BENCH_CACHE, then huggingface_hub's variables", () => {
        expect(hubCacheDir({ GGUF_BENCH_CACHE: "/c", HF_HUB_CACHE: "/h" })).toBe("/c");
        expect(hubCacheDir({ HF_HUB_CACHE: "/h", HF_HOME: "/hf" })).toBe("/h");
        expect(hubCacheDir({ HF_HOME: "/hf" })).toBe("/hf/hub");
        expect(hubCacheDir({ HOME: process.env.HOME })).toBe(home(".cache", "huggingface", "hub"));
        expect(benchCacheDir({ GGUF_BENCH_CACHE: "/c" })).toBe("/c");
        expect(benchCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/gguf-bench");
        expect(benchCacheDir({})).toBe(home(".cache", "gguf-bench"));
        expect(hubEndpoint({})).toBe("https://huggingface.co");
        expect(hubEndpoint({ HF_ENDPOINT: "https://hf-mirror.com/" })).toBe("https://hf-mirror.com");
    });
});

describe("listGgufFiles", () => {
    it("lists the GGUF files of every folder, across pages, with their LFS sizes", async () => {
        const files = await listGgufFiles(qwen, "main", { endpoint: hub.endpoint });
        expect(files).toEqual([
            { path: "BF16/qwen2.5-1.5b-instruct-bf16-00001-of-00002.gguf", sizeBytes: small.length },
            { path: "BF16/qwen2.5-1.5b-instruct-bf16-00002-of-00002.gguf", sizeBytes: small.length },
            { path: "qwen2.5-1.5b-instruct-q4_0.gguf", sizeBytes: small.length },
            { path: "qwen2.5-1.5b-instruct-q4_0_4_4.gguf", sizeBytes: small.length },
            { path: "qwen2.5-1.5b-instruct-q4_k_m.gguf", sizeBytes: big.length },
            { path: "qwen2.5-1.5b-instruct-q4_k_s.gguf", sizeBytes: small.length },
            { path: "qwen2.5-1.5b-instruct-q8_0.gguf", sizeBytes: small.length }
        ]);
        expect(hub.requests.filter((r) => r.url.includes("/tree/main")).length).toBeGreaterThan(1);
        expect(hub.requests.every((r) => r.authorization == null)).toBe(true);
    });

    it("says the Hub cannot be reached when the port refuses", async () => {
        const endpoint = await refusedEndpoint();
        await expect(listGgufFiles(qwen, "main", { endpoint }))
            .rejects.toThrow(`cannot reach ${endpoint} (offline?) while listing ${qwen}: ECONNREFUSED`);
    });

    it("turns 401 and 404 into one-line input errors", async () => {
        await expect(listGgufFiles("acme/private-GGUF", "main", { endpoint: hub.endpoint }))
            .rejects.toThrow(new InputError("acme/private-GGUF not found or private (401): set HF_TOKEN"));
        await expect(listGgufFiles("acme/nope", "main", { endpoint: hub.endpoint, token }))
            .rejects.toThrow(new InputError("acme/nope not found (404)"));
        await expect(listGgufFiles(qwen, "v9", { endpoint: hub.endpoint }))
            .rejects.toThrow(`${qwen} has no revision v9 (404)`);
    });

    it("sends the token to the Hub", async () => {
        const files = await listGgufFiles("acme/private-GGUF", "main", { endpoint: hub.endpoint, token });
        expect(files.map((f) => f.path)).toEqual(["m-Q8_0.gguf"]);
        expect(hub.requests[0]!.authorization).toBe(`Bearer ${token}`);
    });
});

describe("matchQuant", () => {
    it("matches the quant as a whole token, case-insensitively", () => {
        expect(matchQuant(qwen, qwenFiles, "Q4_K_M")).toEqual(["qwen2.5-1.5b-instruct-q4_k_m.gguf"]);
        expect(matchQuant(qwen, qwenFiles, "q4_k_s")).toEqual(["qwen2.5-1.5b-instruct-q4_k_s.gguf"]);
        expect(matchQuant(qwen, qwenFiles, "Q4_0")).toEqual(["qwen2.5-1.5b-instruct-q4_0.gguf"]);
        expect(matchQuant(qwen, qwenFiles, "Q4_0_4_4")).toEqual(["qwen2.5-1.5b-instruct-q4_0_4_4.gguf"]);
        expect(matchQuant(qwen, ["a/model_Q5_K_M.gguf", "a/model_Q5_K_S.gguf"], "Q5_K_M")).toEqual(["a/model_Q5_K_M.gguf"]);
    });

    it("returns every part of a split model in order, and ignores mmproj files", () => {
        expect(matchQuant(qwen, qwenFiles, "BF16")).toEqual([
            "BF16/qwen2.5-1.5b-instruct-bf16-00001-of-00002.gguf",
            "BF16/qwen2.5-1.5b-instruct-bf16-00002-of-00002.gguf"
        ]);
        expect(splitParts("x/m-Q8_0-00001-of-00003.gguf")).toEqual(["x/m-Q8_0-00001-of-00003.gguf", "x/m-Q8_0-00002-of-00003.gguf", "x/m-Q8_0-00003-of-00003.gguf"]);
        expect(splitParts("m.gguf")).toEqual(["m.gguf"]);
    });

    it("names the quants that exist when there is no match", () => {
        expect(() => matchQuant(qwen, qwenFiles, "Q9_K")).toThrow(new InputError(
            `${qwen} has no Q9_K file; quants there: BF16, Q4_0, Q4_0_4_4, Q4_K_M, Q4_K_S, Q8_0`
        ));
        expect(() => matchQuant(qwen, qwenFiles, "Q4_K")).toThrow(InputError);
    });

    it("refuses to guess between several files and points to `file:`", () => {
        expect(() => matchQuant("a/b", ["m-Q8_0.gguf", "other-Q8_0.gguf"], "Q8_0"))
            .toThrow(new InputError("a/b has 2 files for Q8_0: m-Q8_0.gguf, other-Q8_0.gguf; pick one with `file:`"));
    });

    it("reads quant tags out of file names", () => {
        expect(quantTagOf("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf")).toBe("Q4_K_M");
        expect(quantTagOf("Meta-Llama-3-8B-Instruct-IQ2_XXS.gguf")).toBe("IQ2_XXS");
        expect(quantTagOf("model-f16-00001-of-00002.gguf")).toBe("F16");
        expect(quantTagOf("stories260K.gguf")).toBeUndefined();
    });
});

describe("downloadHubFile", () => {
    const file = "qwen2.5-1.5b-instruct-q4_k_m.gguf";

    it("lands in the HF cache layout: blob by sha256, relative snapshot link, refs/main", async () => {
        const cache = await freshCache();
        const progress: [number, number][] = [];
        const local = await downloadHubFile(qwen, "main", file, {
            cacheDir: cache, endpoint: hub.endpoint, onProgress: (done, total) => progress.push([done, total])
        });
        const storage = path.join(cache, "models--Qwen--Qwen2.5-1.5B-Instruct-GGUF");
        const commit = hub.commitOf(qwen);
        expect(local).toBe(path.join(storage, "snapshots", commit, file));
        expect((await lstat(local)).isSymbolicLink()).toBe(true);
        expect(await readlink(local)).toBe(path.join("..", "..", "blobs", sha256(big)));
        expect(sha256(await readFile(local))).toBe(sha256(big));
        expect(await readFile(path.join(storage, "refs", "main"), "utf8")).toBe(commit);
        expect(await readdir(path.join(storage, "blobs"))).toEqual([sha256(big)]);
        expect(progress.at(-1)).toEqual([big.length, big.length]);
        // the bytes came from the CDN the Hub redirected to
        expect(hub.requests.filter((r) => r.server === "cdn" && r.method === "GET")).toHaveLength(1);
    });

    it("does not fetch the file again once cached, and needs no network for a commit revision or offline", async () => {
        const cache = await freshCache();
        const first = await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: hub.endpoint });
        hub.requests.length = 0;

        expect(await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: hub.endpoint })).toBe(first);
        expect(hub.requests.map((r) => `${r.server} ${r.method}`)).toEqual(["hub HEAD"]);

        hub.requests.length = 0;
        expect(await downloadHubFile(qwen, hub.commitOf(qwen), file, { cacheDir: cache, endpoint: hub.endpoint })).toBe(first);
        expect(hub.requests).toHaveLength(0);

        expect(await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: await refusedEndpoint() })).toBe(first);
    });

    it("reuses a blob that is already there (e.g. fetched by huggingface-cli for another revision)", async () => {
        const cache = await freshCache();
        const blobs = path.join(cache, "models--Qwen--Qwen2.5-1.5B-Instruct-GGUF", "blobs");
        await mkdir(blobs, { recursive: true });
        await writeFile(path.join(blobs, sha256(big)), big);
        const local = await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: hub.endpoint });
        expect(sha256(await readFile(local))).toBe(sha256(big));
        expect(hub.requests.filter((r) => r.server === "cdn")).toHaveLength(0);
    });

    it("resumes a dropped connection with a Range request and ends with the right bytes", async () => {
        const cache = await freshCache();
        hub.cutNextDownloadAfter(100_000);
        const local = await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: hub.endpoint });
        const gets = hub.requests.filter((r) => r.server === "cdn" && r.method === "GET");
        expect(gets.map((r) => r.range)).toEqual([undefined, "bytes=100000-"]);
        expect(sha256(await readFile(local))).toBe(sha256(big));
        expect((await readdir(path.dirname(await readlinkAbsolute(local)))).some((name) => name.endsWith(".incomplete"))).toBe(false);
    });

    it("resumes a partial .incomplete file left by an earlier run", async () => {
        const cache = await freshCache();
        const blobs = path.join(cache, "models--Qwen--Qwen2.5-1.5B-Instruct-GGUF", "blobs");
        await mkdir(blobs, { recursive: true });
        await writeFile(path.join(blobs, `${sha256(big)}.incomplete`), big.subarray(0, 123_456));
        const local = await downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint: hub.endpoint });
        expect(hub.requests.filter((r) => r.server === "cdn").map((r) => r.range)).toEqual(["bytes=123456-"]);
        expect(sha256(await readFile(local))).toBe(sha256(big));
    });

    it("sends the token to the Hub only, and writes it nowhere", async () => {
        const cache = await freshCache();
        await expect(downloadHubFile("acme/private-GGUF", "main", "m-Q8_0.gguf", { cacheDir: cache, endpoint: hub.endpoint }))
            .rejects.toThrow(new InputError("acme/private-GGUF not found or private (401): set HF_TOKEN"));
        hub.requests.length = 0;

        const local = await downloadHubFile("acme/private-GGUF", "main", "m-Q8_0.gguf", { cacheDir: cache, endpoint: hub.endpoint, token });
        expect(sha256(await readFile(local))).toBe(sha256(small));
        expect(hub.requests.filter((r) => r.server === "hub").every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
        expect(hub.requests.filter((r) => r.server === "cdn").every((r) => r.authorization == null)).toBe(true);
        for (const name of await allFiles(cache)) {
            expect((await readFile(name)).includes(token), name).toBe(false);
            expect(name.includes(token)).toBe(false);
        }
    });

    it("explains offline, unknown repo and unknown file in one line", async () => {
        const cache = await freshCache();
        const endpoint = await refusedEndpoint();
        await expect(downloadHubFile(qwen, "main", file, { cacheDir: cache, endpoint }))
            .rejects.toThrow(`cannot reach ${endpoint} (offline?) while downloading ${qwen}/${file}: ECONNREFUSED`);
        await expect(downloadHubFile("acme/nope", "main", file, { cacheDir: cache, endpoint: hub.endpoint, token }))
            .rejects.toThrow(new InputError("acme/nope not found (404)"));
        await expect(downloadHubFile(qwen, "main", "nope.gguf", { cacheDir: cache, endpoint: hub.endpoint }))
            .rejects.toThrow(new InputError(`${qwen} has no file nope.gguf at main (404)`));
    });
});

describe("resolveModelFile / resolveModel (hf)", () => {
    it("picks the file of a quant before anything runs, and fails early without it", async () => {
        await expect(resolveModelFile({ source: "hf", repo: qwen, revision: "main", quant: "Q4_K_M" }, { endpoint: hub.endpoint }))
            .resolves.toEqual({ source: "hf", repo: qwen, revision: "main", file: "qwen2.5-1.5b-instruct-q4_k_m.gguf" });
        await expect(resolveModelFile({ source: "hf", repo: qwen, revision: "main", quant: "Q9_K" }, { endpoint: hub.endpoint }))
            .rejects.toThrow(`${qwen} has no Q9_K file; quants there: BF16, Q4_0`);
        const ref = { source: "hf", repo: qwen, revision: "main", file: "x.gguf" } as const;
        expect(await resolveModelFile(ref, { endpoint: await refusedEndpoint() })).toBe(ref);
    });

    it("picks a quant from the cached snapshot when offline", async () => {
        const cache = await freshCache();
        await downloadHubFile(qwen, "main", "qwen2.5-1.5b-instruct-q8_0.gguf", { cacheDir: cache, endpoint: hub.endpoint });
        const ref = { source: "hf", repo: qwen, revision: "main", quant: "Q8_0" } as const;
        await expect(resolveModelFile(ref, { cacheDir: cache, endpoint: await refusedEndpoint() }))
            .resolves.toMatchObject({ file: "qwen2.5-1.5b-instruct-q8_0.gguf" });
    });

    it.skipIf(!existsSync(stories))("downloads a real GGUF and describes it", async () => {
        const cache = await freshCache();
        const ref = { source: "hf", repo: "ggml-org/tiny-llamas", revision: "main", file: "stories260K.gguf" } as const;
        const model = await resolveModel(ref, { cacheDir: cache, endpoint: hub.endpoint });
        const sums = await readFile(path.join(modelsDir, "SHA256SUMS"), "utf8");
        expect(model).toMatchObject({
            ref, source: "hf", repo: "ggml-org/tiny-llamas", file: "stories260K.gguf", quant: "F32", arch: "llama",
            sha256: /^(\w+)\s+stories260K\.gguf$/m.exec(sums)![1], sizeBytes: (await lstat(stories)).size
        });
        expect(model.path.startsWith(path.join(cache, "models--ggml-org--tiny-llamas", "snapshots"))).toBe(true);
    });

    it.skipIf(!existsSync(stories))("drops a download whose sha256 is not the one the Hub announced", async () => {
        const cache = await freshCache();
        const ref = { source: "hf", repo: "acme/corrupt-GGUF", revision: "main", file: "m-F32.gguf" } as const;
        await expect(resolveModel(ref, { cacheDir: cache, endpoint: hub.endpoint }))
            .rejects.toThrow(`differs from the Hub's ${"0".repeat(64)}; removed the corrupt download, run again`);
        expect(await readdir(path.join(cache, "models--acme--corrupt-GGUF", "blobs"))).toEqual([]);
    });
});

async function readlinkAbsolute(link: string): Promise<string> {
    return path.resolve(path.dirname(link), await readlink(link));
}
