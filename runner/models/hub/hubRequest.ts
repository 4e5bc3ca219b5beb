/** What every Hub request takes (endpoint, token, abort) and its time limit. */
import { requestTimeoutMs } from "./hubErrors.ts";

export interface HubOptions {
    /** Hub base URL. Defaults to `hubEndpoint()` at the call site (`HF_ENDPOINT` or `https://huggingface.co`). */
    endpoint: string;
    /** Sent as `Authorization: Bearer` to the Hub's own origin only; never written anywhere. Defaults to none. */
    token?: string;
    /** Aborts the requests (Ctrl-C): a download stops at once and keeps its `.incomplete` file to resume. Defaults to none. */
    signal?: AbortSignal;
}

/** A request's own time limit, and the caller's abort. */
export function requestSignal(opts: HubOptions): AbortSignal {
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    return opts.signal == null ? timeout : AbortSignal.any([opts.signal, timeout]);
}
