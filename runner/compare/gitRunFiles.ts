/**
 * The run files as committed at a git ref, read through git (`ls-tree`, `cat-file --batch`) without checking
 * anything out: the working tree, the index and HEAD stay as they are.
 */
import { spawnSync } from "node:child_process";

export interface GitRunFile {
    /** `REF:path/from/the/repository/root.json`, for messages. */
    source: string;
    text: string;
}

function git(cwd: string, args: string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
    const result = spawnSync("git", args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, timeout: 60_000 });
    return { ok: result.status === 0, stdout: result.stdout ?? Buffer.alloc(0), stderr: result.stderr?.toString("utf8").trim() ?? String(result.error ?? "") };
}

/** The commit `ref` names in the repository at `cwd`, or null when it names none (or there is no repository or git). */
export function resolveCommit(cwd: string, ref: string): string | null {
    if (ref.startsWith("-")) return null; // never an option to git
    const result = git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    const commit = result.stdout.toString("utf8").trim();
    return result.ok && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null;
}

/** Every `*.json` under `dir` (relative to `cwd`, not recursive) at `commit`, in path order. */
export function gitRunFiles(cwd: string, commit: string, ref: string, dir: string): GitRunFile[] {
    const listing = git(cwd, ["ls-tree", "-z", "--full-name", "--name-only", commit, "--", `${dir.replace(/\/+$/, "")}/`]);
    if (!listing.ok) throw new Error(`git ls-tree ${ref}: ${listing.stderr}`);
    const paths = listing.stdout.toString("utf8").split("\0").filter((p) => p.endsWith(".json")).sort();
    if (paths.length === 0) return [];

    const batch = git(cwd, ["cat-file", "--batch"], Buffer.from(paths.map((p) => `${commit}:${p}\n`).join("")));
    if (!batch.ok) throw new Error(`git cat-file ${ref}: ${batch.stderr}`);
    const out = batch.stdout;
    const files: GitRunFile[] = [];
    let at = 0;
    for (const p of paths) {
        const newline = out.indexOf(0x0a, at);
        const header = out.subarray(at, newline).toString("utf8");
        const match = /^[0-9a-f]+ blob (\d+)$/.exec(header);
        if (match == null) throw new Error(`git cat-file ${ref}:${p}: ${header}`);
        const size = Number(match[1]);
        files.push({ source: `${ref}:${p}`, text: out.subarray(newline + 1, newline + 1 + size).toString("utf8") });
        at = newline + 1 + size + 1;
    }
    return files;
}
