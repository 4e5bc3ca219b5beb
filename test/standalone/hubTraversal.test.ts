/**
 * A suite, an argument or a Hub answer never makes the model cache write, link or delete anything outside it:
 * names are checked as the Hub defines them, and every path is checked to stay inside its root.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adhocSuite } from "../../runner/cli/adhocSuite.ts";
import { InputError } from "../../runner/errors.ts";
import { downloadHubFile } from "../../runner/models/hub/hub.ts";
import { listGgufFiles } from "../../runner/models/hub/hubList.ts";
import { hubNameProblem } from "../../runner/suite/hubNames.ts";
import { OutsideRootError, pathInside, prepareInside } from "../../runner/models/insideRoot.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { startFakeHub, type FakeHub } from "./fakeHub.ts";
import { changesOutside, snapshotTree } from "./fixtures/treeSnapshot.ts";

const bytes = randomBytes(4096);
let hub: FakeHub;
let root: string;
let cache: string;

beforeAll(async () => {
    hub = await startFakeHub({
        lenientRepo: "a/b",
        repos: {
            "a/b": { files: [{ path: "m-Q4_0.gguf", content: bytes }] },
            "evil/commit": { commit: "../../../../escaped-commit", files: [{ path: "m-Q4_0.gguf", content: bytes }] },
            "evil/etag": { files: [{ path: "m-Q4_0.gguf", content: bytes, announcedSha256: "../../../escaped-etag" }] },
            "evil/listing": { files: [{ path: "../../escaped-Q4_0.gguf", content: bytes }] }
        }
    });
});
afterAll(() => hub.close());

/** A fresh root holding the cache and, beside it, a file the cache must never touch. */
async function freshRoot() {
    root = await mkdtemp(path.join(tmpdir(), "gguf-bench-traversal-"));
    cache = path.join(root, "deep", "er", "cache");
    await mkdir(cache, { recursive: true });
    await writeFile(path.join(root, "victim.txt"), "precious");
    return snapshotTree(root);
}
afterEach(async () => {
    if (root != null) await rm(root, { recursive: true, force: true });
});
const download = (repo: string, revision: string, file: string) => downloadHubFile(repo, revision, file, { endpoint: hub.endpoint, cacheDir: cache });
const cacheRelative = () => path.relative(root, cache);

async function expectNothingOutsideCache(before: Map<string, string>) {
    expect(changesOutside(before, snapshotTree(root), [cacheRelative()])).toEqual([]);
    expect(await readFile(path.join(root, "victim.txt"), "utf8")).toBe("precious");
}

describe("Hub names, as the Hub defines them", () => {
    it.each([
        ["repo", "Qwen/Qwen2.5-1.5B-Instruct-GGUF"], ["repo", "ggml-org/tiny_llamas"], ["file", "model.Q4_K_M.gguf"],
        ["file", "Q4_K_M/model-Q4_K_M-00001-of-00002.gguf"], ["revision", "main"], ["revision", "v1.0"],
        ["revision", "refs/pr/1"], ["revision", "0123456789abcdef0123456789abcdef01234567"]
    ] as const)("accepts the %s %j", (kind, value) => {
        expect(hubNameProblem(kind, value)).toBeNull();
    });

    it.each([
        ["repo", "a/.."], ["repo", "../b"], ["repo", "a--b/c"], ["repo", "a/b/c"], ["repo", "/b"], ["repo", "a/b\n"],
        ["file", "../../../../escaped-file.gguf"], ["file", "a/../../x.gguf"], ["file", "./x.gguf"], ["file", "/etc/x.gguf"],
        ["file", "a//x.gguf"], ["file", "..\\x.gguf"], ["file", "x\u001b]0;t\u0007.gguf"], ["file", "x.gguf/"],
        ["revision", "../../../victim.txt"], ["revision", "a/../b"], ["revision", "/main"], ["revision", "main/"],
        ["revision", ".hidden"], ["revision", "a/.b"], ["revision", "x.lock"], ["revision", "a b"], ["revision", "@"],
        ["revision", "a@{1}"], ["revision", "a\\b"], ["revision", ""]
    ] as const)("refuses the %s %j", (kind, value) => {
        expect(hubNameProblem(kind, value)).not.toBeNull();
    });
});

describe("a suite cannot name a path outside the cache", () => {
    async function suiteError(model: string): Promise<string> {
        const file = path.join(root, "suite.yaml");
        await writeFile(file, `name: x\nmodels:\n  - ${model}\ntests: [{ pp: 8 }]\n`);
        try {
            parseSuite(file);
        } catch (error) {
            expect(error).toBeInstanceOf(InputError);
            return (error as Error).message;
        }
        throw new Error("parseSuite accepted it");
    }

    it("`file: ../../../../escaped-file.gguf` is refused at validation, naming the key", async () => {
        await freshRoot();
        expect(await suiteError("{ hf: a/b, file: ../../../../escaped-file.gguf }")).toMatch(
            /suite\.yaml:3:22 models\[0\]\.file: expected a path inside the repo ending in `\.gguf` .*got `\.\.\/\.\.\/\.\.\/\.\.\/escaped-file\.gguf` \(string\)$/);
    });

    it("`revision: ../../../victim.txt` is refused at validation, naming the key", async () => {
        await freshRoot();
        expect(await suiteError("{ hf: a/b, file: m.gguf, revision: ../../../victim.txt }")).toMatch(
            /suite\.yaml:3:40 models\[0\]\.revision: expected a branch, tag or commit name .*got `\.\.\/\.\.\/\.\.\/victim\.txt` \(string\)$/);
    });

    it("a repo id with `..` or `--` is refused at validation", async () => {
        await freshRoot();
        expect(await suiteError("{ hf: a/.., file: m.gguf }")).toMatch(/models\[0\]\.hf: expected a Hugging Face repo id/);
        expect(await suiteError("{ hf: a--b/c, file: m.gguf }")).toMatch(/models\[0\]\.hf: expected a Hugging Face repo id/);
    });

    it("the ad-hoc `--model a/b/../../../../x.gguf` is refused, naming the file", async () => {
        await freshRoot();
        const adhoc = () => adhocSuite("a/b/../../../../x.gguf", "hi", {});
        expect(adhoc).toThrow(InputError);
        expect(adhoc).toThrow(/^--model: Hub file `\.\.\/\.\.\/\.\.\/\.\.\/x\.gguf`: expected a path inside the repo/);
    });
});

describe("the downloader checks every name again, and every answer of the Hub", () => {
    it("a `..` file name given straight to the downloader writes and links nothing outside the cache", async () => {
        const before = await freshRoot();
        await expect(download("a/b", "main", "../../../../escaped-file.gguf")).rejects.toThrow(/Hub file `\.\.\/\.\.\/\.\.\/\.\.\/escaped-file\.gguf`/);
        await expectNothingOutsideCache(before);
    });

    it("a `..` revision given straight to the downloader overwrites nothing outside the cache", async () => {
        const before = await freshRoot();
        await expect(download("a/b", "../../../../../victim.txt", "m-Q4_0.gguf")).rejects.toThrow(/Hub revision `\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/victim\.txt`/);
        await expectNothingOutsideCache(before);
    });

    it("a Hub answering a commit that is a path is refused before the commit names a folder", async () => {
        const before = await freshRoot();
        await expect(download("evil/commit", "main", "m-Q4_0.gguf")).rejects.toThrow(/X-Repo-Commit `\.\.\/\.\.\/\.\.\/\.\.\/escaped-commit`.*expected a 40-digit commit hash/);
        await expectNothingOutsideCache(before);
    });

    it("a Hub answering an ETag that is a path is refused before the ETag names a blob", async () => {
        const before = await freshRoot();
        await expect(download("evil/etag", "main", "m-Q4_0.gguf")).rejects.toThrow(/ETag `\.\.\/\.\.\/\.\.\/escaped-etag`.*expected a file hash/);
        await expectNothingOutsideCache(before);
    });

    it("a Hub listing a file outside the repo is refused as a whole", async () => {
        const before = await freshRoot();
        await expect(listGgufFiles("evil/listing", "main", { endpoint: hub.endpoint })).rejects.toThrow(
            /listed `\.\.\/\.\.\/escaped-Q4_0\.gguf` in evil\/listing, which is not a path inside a repo/);
        await expectNothingOutsideCache(before);
    });

    it("a folder of the cache that is a symlink to elsewhere is not written through", async () => {
        const before = await freshRoot();
        const elsewhere = path.join(root, "elsewhere");
        await mkdir(elsewhere);
        await mkdir(path.join(cache, "models--a--b"), { recursive: true });
        await symlink(elsewhere, path.join(cache, "models--a--b", "blobs"));
        await expect(download("a/b", "main", "m-Q4_0.gguf")).rejects.toThrow(OutsideRootError);
        expect(changesOutside(before, snapshotTree(root), [cacheRelative(), "elsewhere"])).toEqual([]);
        expect(snapshotTree(elsewhere).size).toBe(0);
    });

    it("the same file with good names still downloads into the cache", async () => {
        const before = await freshRoot();
        const pointer = await download("a/b", "main", "m-Q4_0.gguf");
        expect(path.relative(cache, pointer).startsWith("models--a--b")).toBe(true);
        expect(await readFile(pointer)).toEqual(bytes);
        await expectNothingOutsideCache(before);
    });
});

describe("pathInside / prepareInside", () => {
    it("resolve inside the root and refuse what leaves it", async () => {
        await freshRoot();
        expect(pathInside(cache, "a", "b.gguf")).toBe(path.join(cache, "a", "b.gguf"));
        expect(() => pathInside(cache, "..", "x")).toThrow(OutsideRootError);
        expect(() => pathInside(cache, "/etc/passwd")).toThrow(OutsideRootError);
        expect(() => pathInside(cache, "a/../../x")).toThrow(OutsideRootError);
        await expect(prepareInside(cache, path.join(root, "x"))).rejects.toThrow(OutsideRootError);
    });
});
