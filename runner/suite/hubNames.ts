/**
 * Names that come from a suite, an argument or a Hub answer and end up in paths of the model cache: repo ids, file
 * paths and revisions as the Hub defines them (the patterns are suite.schema.json's `hubRepo`, `hubFile` and
 * `hubRevision`, so editors, the suite check and the downloader refuse the same names), and the commit hashes and
 * ETags a Hub answers with. A name that fails here never reaches `path.join`.
 */
import suiteSchema from "../../suite.schema.json" with { type: "json" };
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";

type HubNameKind = "repo" | "file" | "revision";

const definitions = { repo: suiteSchema.definitions.hubRepo, file: suiteSchema.definitions.hubFile, revision: suiteSchema.definitions.hubRevision };
const patterns = Object.fromEntries(
    Object.entries(definitions).map(([kind, definition]) => [kind, new RegExp(definition.pattern, "u")])
) as Record<HubNameKind, RegExp>;

/** What a `kind` name must look like (the schema's wording), or `null` when `value` is one. */
export function hubNameProblem(kind: HubNameKind, value: string): string | null {
    return patterns[kind].test(value) ? null : definitions[kind].errorMessage;
}

/** Throws an InputError naming the first of `names` that is not a valid Hub name of its kind. */
export function assertHubNames(names: { repo: string; revision: string; file?: string }, where: string): void {
    for (const kind of ["repo", "revision", "file"] as const) {
        const value = names[kind];
        if (value === undefined) continue;
        const problem = hubNameProblem(kind, value);
        if (problem != null) throw new InputError(`${where}: Hub ${kind} \`${visible(value)}\`: expected ${problem}`);
    }
}

/** A git commit hash, as `X-Repo-Commit` carries it and `snapshots/<commit>` is named. */
export const commitHashPattern = /^[0-9a-f]{40}$/;

/** An ETag usable as a blob's file name: a sha256 or git oid in practice; never a path, never `..`. */
const etagPattern = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** Checks the commit and ETag a Hub sent for a file before they name anything in the cache. */
export function checkHubAnswer(endpoint: string, what: string, commit: string, etag: string): void {
    if (!commitHashPattern.test(commit))
        throw new Error(`${endpoint} answered X-Repo-Commit \`${visible(commit.slice(0, 80))}\` for ${what}: expected a 40-digit commit hash`);
    if (!etagPattern.test(etag))
        throw new Error(`${endpoint} answered an ETag \`${visible(etag.slice(0, 80))}\` for ${what}: expected a file hash`);
}
