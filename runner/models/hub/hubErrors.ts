/** One-line errors for Hub requests: unreachable (a cached copy may still do) or the user's input (exit 2). */
import { InputError } from "../../errors.ts";

/** Seconds a listing or HEAD request may take. */
export const requestTimeoutMs = 30_000;

/** The Hub could not be reached at all (offline, DNS, refused, timeout, 5xx): a cached copy may still do. */
export class HubUnreachableError extends Error {
    override readonly name = "HubUnreachableError";
}

function networkCause(error: unknown): string {
    if (error instanceof Error && error.name === "TimeoutError") return `timed out after ${requestTimeoutMs / 1000} s`;
    const cause = (error as { cause?: unknown })?.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
    return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export function unreachable(endpoint: string, doing: string, error: unknown): HubUnreachableError {
    return new HubUnreachableError(`cannot reach ${endpoint} (offline?) while ${doing}: ${networkCause(error)}`);
}

/** One line for a failed Hub answer; 401/403/404 are the user's input (exit 2), the rest the Hub's trouble. */
export function httpError(status: number, errorCode: string | null, what: { endpoint: string; repo: string; revision: string; file?: string; token?: string }, doing: string): Error {
    const { endpoint, repo, revision, file, token } = what;
    if (status === 401) {
        return new InputError(token == null
            ? `${repo} not found or private (401): set HF_TOKEN`
            : `${repo} not found or HF_TOKEN cannot read it (401)`);
    }
    if (status === 403 && errorCode === "GatedRepo") {
        return new InputError(`${repo} is gated (403): accept its terms at ${endpoint}/${repo} with the account of HF_TOKEN`);
    }
    if (status === 403) return new InputError(`${repo}: access denied (403)${token == null ? ": set HF_TOKEN" : ""}`);
    if (status === 404) {
        if (errorCode === "RevisionNotFound") return new InputError(`${repo} has no revision ${revision} (404)`);
        if (errorCode === "EntryNotFound" && file != null) return new InputError(`${repo} has no file ${file} at ${revision} (404)`);
        if (errorCode === "RepoNotFound" || file == null) return new InputError(`${repo} not found (404)`);
        return new InputError(`${repo}: ${file} not found at ${revision} (404)`);
    }
    if (status >= 500) return new HubUnreachableError(`${endpoint} answered ${status} while ${doing}; try again later`);
    return new Error(`${endpoint} answered ${status} while ${doing}`);
}

export function sameOrigin(a: string, b: string): boolean {
    return new URL(a).origin === new URL(b).origin;
}
