import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoFileProblem, repoIdProblem, revisionProblem } from "../../runner/models/hubNames.ts";
import { likeLabel, parseLike } from "../../runner/suite/parseLike.ts";

describe("Hub names from suites are checked as the Hub defines them", () => {
    test.each(["Qwen/Qwen2.5-1.5B-Instruct-GGUF", "ggml-org/tiny-llamas", "a/b", "user_1/model.v2"])("repo %s is accepted", (repo) => {
        expect(repoIdProblem(repo)).toBeNull();
    });
    test.each(["Qwen", "a/b/c", "../etc", "a/..", "a/-b", "a/b-", "a/b.", "a--b/c", "a/b..c", "a/b c", `a/${"x".repeat(95)}`, "a/b\u0000"])(
        "repo %j is refused", (repo) => {
            expect(repoIdProblem(repo)).toMatch(/^a Hugging Face repo id/);
        });

    test.each(["model-q4_k_m.gguf", "Q4_K_M/model-00001-of-00003.gguf", "deep/er/x.GGUF"])("file %s is accepted", (file) => {
        expect(repoFileProblem(file)).toBeNull();
    });
    test.each(["../model.gguf", "a/../../b.gguf", "./m.gguf", "/m.gguf", "a//m.gguf", "a\\m.gguf", "m.bin", "m\n.gguf"])("file %j is refused", (file) => {
        expect(repoFileProblem(file)).toMatch(/^a file path inside the repo/);
    });

    test.each(["main", "v1.0", "refs/pr/12", "0123456789abcdef0123456789abcdef01234567", "release/2024-05"])("revision %s is accepted", (revision) => {
        expect(revisionProblem(revision)).toBeNull();
    });
    test.each(["", "a..b", "-x", "/main", "main/", "a b", "a~1", "a^", "a:b", "x.lock", "a@{1}", "a//b", "main."])("revision %j is refused", (revision) => {
        expect(revisionProblem(revision)).toMatch(/^a branch, tag or commit/);
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
        ["Qwen/Repo/../../../etc/passwd.gguf", /^a file path inside the repo/],
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
