import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hubNameProblem } from "../../runner/suite/hubNames.ts";
import { likeLabel, parseLike } from "../../runner/suite/parseLike.ts";

describe("like: names a Hub file only if the Hub could (hubNames.ts, the schema's patterns)", () => {
    test.each(["Qwen/Qwen2.5-1.5B-Instruct-GGUF/q4.gguf", "ggml-org/tiny-llamas/Q4_K_M/m-00001-of-00002.gguf", "user_1/model.v2/x.gguf"])("%s is accepted", (like) => {
        expect(parseLike(like, "/nonexistent-dir")).toMatchObject({ revision: "main" });
    });
    test.each([
        ["a--b/c/m.gguf", "repo"], ["a/b../m.gguf", "repo"], ["a/-b/m.gguf", "repo"],
        ["a/b/../m.gguf", "file"], ["a/b/x/../../m.gguf", "file"], ["a/b/c\\m.gguf", "file"], ["a/b/m.bin", "file"], ["a/b/m\n.gguf", "file"]
    ])("%j is refused for its %s", (like, kind) => {
        // the schema's wording for that kind of name (what any name it refuses gets)
        expect(parseLike(like, "/nonexistent-dir")).toEqual({ expected: hubNameProblem(kind as "repo" | "file", "")! });
    });
    test.each(["a..b", "main/", "a b", "a~1", "x.lock", "a//b"])("revision %j is refused", (revision) => {
        expect(parseLike("a/b/m.gguf", "/nonexistent-dir", revision)).toEqual({ expected: hubNameProblem("revision", revision)! });
    });
});

describe("parseLike", () => {
    let dir: string;
    beforeAll(async () => {
        dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-like-"));
        await writeFile(path.join(dir, "local.gguf"), "GGUF");
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    test("an existing file, relative to the suite's folder, is a local source", () => {
        expect(parseLike("local.gguf", dir)).toEqual({ path: path.join(dir, "local.gguf") });
        expect(parseLike(path.join(dir, "local.gguf"), "/")).toEqual({ path: path.join(dir, "local.gguf") });
    });

    test("a path that starts with . or / must exist; it is never taken for a Hub file", () => {
        expect(parseLike("./missing/x.gguf", dir)).toEqual({ expected: `an existing GGUF file (looked for ${path.join(dir, "missing/x.gguf")})` });
        expect(parseLike("/no/such/file.gguf", dir)).toMatchObject({ expected: expect.stringMatching(/^an existing GGUF file/) });
    });

    test("OWNER/REPO/FILE.gguf is a Hub file at a revision, its file possibly in folders", () => {
        expect(parseLike("Qwen/Qwen2.5-7B-Instruct-GGUF/qwen2.5-7b-instruct-q4_k_m.gguf", dir))
            .toEqual({ repo: "Qwen/Qwen2.5-7B-Instruct-GGUF", revision: "main", file: "qwen2.5-7b-instruct-q4_k_m.gguf" });
        expect(parseLike("unsloth/M-GGUF/Q4_K_M/m-00001-of-00002.gguf", dir, "refs/pr/3"))
            .toEqual({ repo: "unsloth/M-GGUF", revision: "refs/pr/3", file: "Q4_K_M/m-00001-of-00002.gguf" });
    });

    test.each([
        ["Qwen/model.gguf", /^a local GGUF file or a Hub file/],
        ["Qwen/Repo/../../../etc/passwd.gguf", /^a path inside the repo/],
        ["Qw en/Repo/m.gguf", /^a Hugging Face repo id/]
    ])("%s is refused with what was expected", (like, expected) => {
        const parsed = parseLike(like, dir);
        expect("expected" in parsed && parsed.expected).toMatch(expected);
    });

    test("labels: a local file by its name, a Hub file by repo/file and a revision other than main", () => {
        expect(likeLabel({ path: "/models/x/m-f16.gguf" })).toBe("m-f16.gguf");
        expect(likeLabel({ repo: "a/b", revision: "main", file: "c.gguf" })).toBe("a/b/c.gguf");
        expect(likeLabel({ repo: "a/b", revision: "v2", file: "c.gguf" })).toBe("a/b/c.gguf@v2");
    });
});
