/**
 * `synthetic: { like: … }` in a suite and `--model like:…` on the command line: a local GGUF file or a Hub file
 * `OWNER/REPO/FILE.gguf`, checked here before anything runs (Hub names by the Hub's rules: suite/hubNames.ts).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { hubNameProblem } from "./hubNames.ts";
import { namesVariable, suitePath } from "./suitePath.ts";
import type { LikeRef } from "./types.ts";

/**
 * `like` as written: a path (absolute, starting with `.` or `${NAME}`, or an existing file; relative to `baseDir`), else
 * `OWNER/REPO/FILE.gguf` (the file may sit in folders of the repo). Returns what was expected when it is neither.
 */
export function parseLike(text: string, baseDir: string, revision = "main"): LikeRef | { expected: string } {
    const resolved = suitePath(text, baseDir);
    if ("expected" in resolved) return resolved;
    const absolute = resolved.path;
    const pathLike = path.isAbsolute(text) || text.startsWith(".") || namesVariable(text);
    if (pathLike || existsSync(absolute)) {
        return existsSync(absolute) ? { path: absolute } : { expected: `an existing GGUF file (looked for ${absolute})` };
    }
    const [owner, name, ...rest] = text.split("/");
    const repo = `${owner}/${name}`;
    const file = rest.join("/");
    const problem = rest.length === 0
        ? "a local GGUF file or a Hub file OWNER/REPO/FILE.gguf"
        : hubNameProblem("repo", repo) ?? hubNameProblem("file", file) ?? hubNameProblem("revision", revision);
    return problem == null ? { repo, revision, file } : { expected: problem };
}

/** How a clone names its original in labels, run files and the clone's own metadata. */
export function likeLabel(like: LikeRef): string {
    if ("path" in like) return path.basename(like.path);
    return `${like.repo}/${like.file}${like.revision === "main" ? "" : `@${like.revision}`}`;
}

