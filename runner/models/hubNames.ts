/**
 * Hugging Face names from suites and the command line are untrusted: repo ids, file paths in a repo and revisions
 * are checked against the Hub's own rules (huggingface_hub's `validate_repo_id`; git's ref-name rules for
 * revisions) before they reach a URL, and never become local paths. Each check returns what was expected, or null.
 */

const repoPart = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** `owner/name`: letters, digits, `_`, `-`, `.`; no `--` or `..`; at most 96 characters; no leading/trailing `-` or `.`. */
export function repoIdProblem(repo: string): string | null {
    const parts = repo.split("/");
    if (parts.length !== 2 || !parts.every((part) => repoPart.test(part)) || repo.length > 96 || repo.includes("--") || repo.includes(".."))
        return "a Hugging Face repo id `owner/name` (letters, digits, `_`, `-`, `.`; no `--` or `..`; at most 96 characters)";
    return null;
}

/** A relative path inside a repo ending in `.gguf`: `/`-separated parts, none empty, `.` or `..`, no `\` or control characters. */
export function repoFileProblem(file: string): string | null {
    const parts = file.split("/");
    if (!/\.gguf$/i.test(file) || file.length > 1000 || /[\\\x00-\x1f\x7f]/.test(file) || parts.some((part) => part === "" || part === "." || part === ".."))
        return "a file path inside the repo ending in `.gguf` (no `..`, `\\`, empty parts or control characters)";
    return null;
}

/** A branch, tag, `refs/pr/N` or commit: git's ref-name rules (no `..`, `~^:?*[\`, spaces, `@{`, leading `-` or `/`, …). */
export function revisionProblem(revision: string): string | null {
    if (revision === "" || revision.length > 255 || /[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$|\.lock$|^@$/.test(revision))
        return "a branch, tag or commit (git ref-name rules: no `..`, spaces, `~^:?*[\\`, `@{`, leading `-` or `/`)";
    return null;
}
