/** The git commit and dirty state of a checkout, recorded with every run. */
import { execFileSync } from "node:child_process";

export interface GitInfo {
    /** `git rev-parse HEAD`; null outside a git checkout, before the first commit, or without git. */
    commit: string | null;
    /** Whether `git status --porcelain` lists anything; null outside a git checkout or without git. */
    dirty: boolean | null;
}

/** Reads the commit and dirty state of the checkout at `cwd`. Never throws. */
export function gitInfo(cwd: string): GitInfo {
    const status = runGit(cwd, ["status", "--porcelain"]);
    if (status === null) return { commit: null, dirty: null };
    const head = runGit(cwd, ["rev-parse", "HEAD"])?.trim();
    return {
        commit: head !== undefined && /^[0-9a-f]{40,64}$/.test(head) ? head : null,
        dirty: status.trim().length > 0
    };
}

function runGit(cwd: string, args: string[]): string | null {
    try {
        return execFileSync("git", args, {
            cwd,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
            timeout: 10_000,
            maxBuffer: 64 * 1024 * 1024
        });
    } catch {
        return null;
    }
}
