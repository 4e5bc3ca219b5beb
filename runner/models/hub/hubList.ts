/** A Hub repo's GGUF files at a revision, through @huggingface/hub's `listFiles`, each name checked as a Hub path. */
import { listFiles } from "@huggingface/hub";
import { InputError } from "../../errors.ts";
import { visible } from "../../format/visible.ts";
import { requestSignal, type HubOptions } from "./hubRequest.ts";
import { httpError, unreachable } from "./hubErrors.ts";
import { assertHubNames, hubNameProblem } from "../../suite/hubNames.ts";

export interface HubFile {
    /** Path within the repo, e.g. `Q4_K_M/model-Q4_K_M-00001-of-00002.gguf`. */
    path: string;
    sizeBytes: number;
}

/** The repo's `.gguf` files at `revision` (recursive), through @huggingface/hub's `listFiles`. */
export async function listGgufFiles(repo: string, revision: string, opts: HubOptions): Promise<HubFile[]> {
    assertHubNames({ repo, revision }, `listing ${repo}`);
    let errorCode: string | null = null;
    // our own fetch: the token goes in as a header (any token format), and we keep X-Error-Code for the message
    const hubFetch: typeof fetch = async (input, init) => {
        const headers = new Headers(init?.headers);
        if (opts.token != null) headers.set("Authorization", `Bearer ${opts.token}`);
        const response = await fetch(input, { ...init, headers, signal: requestSignal(opts) });
        if (!response.ok) errorCode = response.headers.get("X-Error-Code");
        return response;
    };
    const files: HubFile[] = [];
    try {
        for await (const entry of listFiles({ repo, revision, recursive: true, hubUrl: opts.endpoint, fetch: hubFetch })) {
            if (entry.type !== "file" || !/\.gguf$/i.test(entry.path)) continue;
            // a listing is a Hub's answer, not ours: a name no Hub can hold never becomes a file to fetch
            if (hubNameProblem("file", entry.path) != null)
                throw new InputError(`${opts.endpoint} listed \`${visible(entry.path.slice(0, 200))}\` in ${repo}, which is not a path inside a repo: is HF_ENDPOINT a Hugging Face Hub?`);
            files.push({ path: entry.path, sizeBytes: entry.lfs?.size ?? entry.size });
        }
    } catch (error) {
        if (error instanceof InputError) throw error;
        opts.signal?.throwIfAborted();
        const status = (error as { statusCode?: unknown }).statusCode;
        if (typeof status === "number") throw httpError(status, errorCode, { ...opts, repo, revision }, `listing ${repo}`);
        throw unreachable(opts.endpoint, `listing ${repo}`, error);
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
