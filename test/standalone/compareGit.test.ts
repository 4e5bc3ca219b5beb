/**
 * compare with git refs, in a temporary repository: the run files as committed at a ref, read through git; the
 * working tree, index and HEAD untouched; exit codes of the command as a user runs it.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSide } from "../../runner/compare/resolveSide.ts";
import type { ConfigRecord, Measurement } from "../../runner/results.ts";
import { writeRunFile } from "../../runner/store/writeRunFile.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";

const projectRoot = new URL("../..", import.meta.url).pathname;
const tsx = pathToFileURL(join(projectRoot, "node_modules/tsx/dist/loader.mjs")).href;

function config(decodeTps: number[]): ConfigRecord {
    const measurements = decodeTps.map((tps, rep): Measurement => ({ kind: "tg", prompt: "tg64", rep, metrics: { decodeTps: tps } }));
    return { ...makeConfig("c1"), measurements, label: "tiny" };
}

let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
const idA = "20260101-000000-default-aaaaaa";
const idB = "20260102-000000-default-bbbbbb";
const idC = "20260103-000000-default-cccccc";

beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), "gguf-bench-git-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    const runs = join(repo, "results", "runs");
    await writeRunFile(runs, { ...makeRun(), id: idA, startedAt: "2026-01-01T00:00:00.000Z" }, [config([100, 101, 99])]);
    git("add", "results");
    git("commit", "-qm", "first run");
    git("tag", "v1");
    // the second run is 20 % slower
    await writeRunFile(runs, { ...makeRun(), id: idB, startedAt: "2026-01-02T00:00:00.000Z" }, [config([80, 81, 79])]);
    git("add", "results");
    git("commit", "-qm", "second run");
    // not committed: a third run file and an edit of a committed one
    await writeRunFile(runs, { ...makeRun(), id: idC, startedAt: "2026-01-03T00:00:00.000Z" }, [config([50, 50, 50])]);
    writeFileSync(join(runs, `${idA}.json`), "edited, not committed");
    mkdirSync(join(repo, "other"));
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const opts = () => ({ db: join(repo, "results", "bench.db"), results: "results/runs", cwd: repo });

describe("git refs as sides", () => {
    it("reads the run files committed at a ref, not the working tree", async () => {
        const first = await resolveSide("HEAD~1", opts());
        expect(first.runs.map((r) => r.run.id)).toEqual([idA]);
        expect(first.description).toMatch(/^1 run file\(s\) at HEAD~1 \([0-9a-f]{7}\)$/);
        expect((await resolveSide("v1", opts())).runs.map((r) => r.run.id)).toEqual([idA]);
        expect((await resolveSide("HEAD", opts())).runs.map((r) => r.run.id)).toEqual([idA, idB]);
        expect((await resolveSide(`main:${idA}`, opts())).runs.map((r) => r.run.id)).toEqual([idA]);
    });

    it("leaves HEAD, the index and the working tree as they were", async () => {
        const before = [git("rev-parse", "HEAD"), git("status", "--porcelain"), readFileSync(join(repo, "results", "runs", `${idA}.json`), "utf8")];
        await resolveSide("HEAD~1", opts());
        await resolveSide(`HEAD:${idB}`, opts());
        expect([git("rev-parse", "HEAD"), git("status", "--porcelain"), readFileSync(join(repo, "results", "runs", `${idA}.json`), "utf8")]).toEqual(before);
    });

    it("refuses a ref with no run files, an unknown run at a ref, and what is neither", async () => {
        const emptyTree = git("hash-object", "-t", "tree", "/dev/null");
        const bare = git("commit-tree", emptyTree, "-m", "nothing committed");
        await expect(resolveSide(bare, opts())).rejects.toThrow(/no run files in results\/runs at that commit \([0-9a-f]{7}\): commit some first/);
        await expect(resolveSide(`HEAD:${idC}`, opts())).rejects.toThrow(new RegExp(`no run \`${idC}\` among the run files in results/runs at HEAD`));
        await expect(resolveSide("nope", opts())).rejects.toThrow(/`nope` is not a run id in .*, `latest`, a run file or folder, a git ref, or REF:RUN_ID/);
        await expect(resolveSide("--exec=x", opts())).rejects.toThrow(/is not a run id/);
    });
});

describe("npm run compare with git refs (exit codes)", () => {
    const compare = (...args: string[]) => promisify(execFile)(process.execPath, ["--import", tsx, join(projectRoot, "runner/cli/cli.ts"), "compare", ...args], { cwd: repo })
        .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error);

    it("HEAD~1 HEAD compares the run committed last with the one before (exit 1 on its slowdown); a bad side is exit 2", async () => {
        const slower = await compare("HEAD~1", "HEAD", "--format", "md");
        expect(slower.code, slower.stderr).toBe(1);
        expect(slower.stdout.split("\n")[0]).toBe("**gguf-bench: 1 regression beyond 5 %**, worst tiny tg64 decode tok/s −20 %");
        const json = JSON.parse((await compare("HEAD~1", "HEAD", "--format", "json")).stdout);
        expect([json.baseline.runs, json.candidate.runs]).toEqual([[idA], [idB]]);
        const bad = await compare("HEAD~1", "no-such-ref");
        expect(bad.code).toBe(2);
        expect(bad.stderr.trim().split("\n")).toHaveLength(1);
        const threshold = await compare("HEAD~1", "HEAD", "--threshold", "25");
        expect(threshold.code, threshold.stderr).toBe(0);
    });

    it("the same run on both sides is refused unless --same-run; two sides holding the same runs: exit 2, saying so", async () => {
        const same = await compare(`HEAD:${idB}`, `HEAD:${idB}`);
        expect(same.code).toBe(2);
        expect(same.stderr.trim()).toMatch(new RegExp(`^gguf-bench: compare: HEAD:${idB} and HEAD:${idB} hold the same run\\(s\\) \\(${idB}\\): nothing changed between them.*--same-run`));
        const identical = await compare("HEAD", "main");
        expect(identical.code).toBe(2);
        expect(identical.stderr).toMatch(/HEAD and main hold the same run\(s\) \(20260101-000000-default-aaaaaa, 20260102-000000-default-bbbbbb\)/);
        const allInBase = await compare("HEAD", "HEAD~1");
        expect(allInBase.code).toBe(2);
        expect(allInBase.stderr).toMatch(/every run of HEAD~1 is also in HEAD .*no new run to compare/);
        const asked = await compare(`HEAD:${idB}`, `HEAD:${idB}`, "--same-run");
        expect(asked.code, asked.stderr).toBe(0);
        expect(asked.stdout.split("\n")[0]).toMatch(/^no change beyond 5 %/);
    });
});

describe("a setting change between two commits (new config ids)", () => {
    let repo2: string;
    const git2 = (...args: string[]) => execFileSync("git", args, { cwd: repo2, encoding: "utf8" }).trim();
    beforeAll(async () => {
        repo2 = mkdtempSync(join(tmpdir(), "gguf-bench-git-"));
        git2("init", "-q", "-b", "main");
        git2("config", "user.email", "t@example.com");
        git2("config", "user.name", "t");
        const runs = join(repo2, "results", "runs");
        // the baseline: context 1024, id c1024; then context 4096 gives the config a new id, and it is 20 % slower
        const at = (id: string, context: number, tps: number[]) => ({ ...config(tps), id, params: { ...config(tps).params, context } });
        await writeRunFile(runs, { ...makeRun(), id: idA, startedAt: "2026-01-01T00:00:00.000Z" }, [at("c1024", 1024, [100, 101, 99])]);
        git2("add", "results");
        git2("commit", "-qm", "baseline");
        await writeRunFile(runs, { ...makeRun(), id: idB, startedAt: "2026-01-02T00:00:00.000Z" }, [at("c4096", 4096, [80, 81, 79])]);
        git2("add", "results");
        git2("commit", "-qm", "context 4096");
    });
    afterAll(() => rmSync(repo2, { recursive: true, force: true }));

    it("compares the new run with the old one, pairs the configs by label and shows the setting change (exit 1)", async () => {
        const result = await promisify(execFile)(process.execPath, ["--import", tsx, join(projectRoot, "runner/cli/cli.ts"), "compare", "HEAD~1", "HEAD"], { cwd: repo2 })
            .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error);
        expect(result.code, result.stderr).toBe(1);
        const lines = result.stdout.split("\n");
        expect(lines[0]).toMatch(/^REGRESSION: 1 row worse beyond 5 %/);
        expect(lines[1]).toBe(`baseline:  1 run file(s) at HEAD~1 (${git2("rev-parse", "--short=7", "HEAD~1")}): run ${idA}`);
        expect(lines[2]).toBe(`candidate: 2 run file(s) at HEAD (${git2("rev-parse", "--short=7", "HEAD")}): run ${idB}`);
        expect(lines.slice(3, 5)).toEqual(["what differs between the paired configs:", "  context: 1024 → 4096 (tiny, paired by label)"]);
        expect(result.stdout).toMatch(/tiny\s+tg64\s+decode tok\/s\s+100\.0 tok\/s \(n=3\)\s+80\.0 tok\/s \(n=3\)\s+−20 %/);
        expect(result.stdout).not.toContain("unmatched");
    });
});
