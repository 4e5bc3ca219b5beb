/**
 * Every default path and environment variable gguf-bench reads, resolved here and nowhere else, with one rule: a
 * variable that is empty (or only white space) counts as unset. The results (database, run files, the report's
 * database), and where models, the sha256 cache and Hub credentials come from, read the way huggingface_hub does.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { InputError } from "./errors.ts";
import { visible } from "./format/visible.ts";

type Env = Record<string, string | undefined>;

/** `value`, or `undefined` when it is missing, empty or only white space: the one rule for every variable. */
export function nonEmpty(value: string | undefined): string | undefined {
    return value != null && value.trim() !== "" ? value : undefined;
}

/** The results database: `GGUF_BENCH_DB`, else `results/bench.db` (relative to the working directory, as given). */
export function resultsDatabasePath(env: Env = process.env): string {
    return nonEmpty(env.GGUF_BENCH_DB) ?? "results/bench.db";
}

/** The folder of run files: `GGUF_BENCH_RESULTS`, else `results/runs` (as given). */
export function runFilesPath(env: Env = process.env): string {
    return nonEmpty(env.GGUF_BENCH_RESULTS) ?? "results/runs";
}

/**
 * The database the report's build reads, absolute: `GGUF_BENCH_REPORT_DB` (set by `npm run report`), else the
 * results database.
 */
export function reportDatabasePath(env: Env = process.env): string {
    return path.resolve(nonEmpty(env.GGUF_BENCH_REPORT_DB) ?? resultsDatabasePath(env));
}

function hfHome(env: Env): string {
    return nonEmpty(env.HF_HOME)
        ?? path.join(nonEmpty(env.XDG_CACHE_HOME) ?? path.join(homedir(), ".cache"), "huggingface");
}

/**
 * The Hugging Face hub cache (`models--owner--name/{blobs,snapshots,refs}`), shared with huggingface-cli and transformers:
 * `GGUF_BENCH_CACHE`, else `HF_HUB_CACHE` (or the older `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`,
 * else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (on macOS too, as huggingface_hub does).
 */
export function hubCacheDir(env: Env = process.env): string {
    return path.resolve(
        nonEmpty(env.GGUF_BENCH_CACHE)
        ?? nonEmpty(env.HF_HUB_CACHE)
        ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE)
        ?? path.join(hfHome(env), "hub")
    );
}

/** gguf-bench's own cache (synthetic models, sha256 cache): `GGUF_BENCH_CACHE`, else `$XDG_CACHE_HOME/gguf-bench`, else `~/.cache/gguf-bench`. */
export function benchCacheDir(env: Env = process.env): string {
    return path.resolve(
        nonEmpty(env.GGUF_BENCH_CACHE)
        ?? path.join(nonEmpty(env.XDG_CACHE_HOME) ?? path.join(homedir(), ".cache"), "gguf-bench")
    );
}

/** The Hub's base URL: `HF_ENDPOINT`, else `https://huggingface.co` (no trailing slash). Not an http(s) URL → InputError. */
export function hubEndpoint(env: Env = process.env): string {
    const endpoint = (nonEmpty(env.HF_ENDPOINT) ?? "https://huggingface.co").replace(/\/+$/, "");
    let url: URL | undefined;
    try {
        url = new URL(endpoint);
    } catch {
        url = undefined;
    }
    if (url == null || (url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "")
        throw new InputError(`HF_ENDPOINT: expected an http(s) URL such as https://huggingface.co, got \`${visible(endpoint.slice(0, 200))}\``);
    return endpoint;
}

/**
 * The Hub token: `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the file `huggingface-cli login` writes
 * (`HF_TOKEN_PATH`, else `$HF_HOME/token`). `undefined` when there is none.
 */
export function hubToken(env: Env = process.env): string | undefined {
    const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
    if (fromEnv != null) return checkToken(fromEnv.trim(), nonEmpty(env.HF_TOKEN) != null ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN");
    const file = nonEmpty(env.HF_TOKEN_PATH) ?? path.join(hfHome(env), "token");
    let text: string | undefined;
    try {
        text = nonEmpty(readFileSync(file, "utf8"))?.trim();
    } catch {
        return undefined;
    }
    return text == null ? undefined : checkToken(text, `the token file ${visible(file)}`);
}

/** A token goes into an HTTP header: printable ASCII without spaces, or an InputError that never shows it. */
function checkToken(token: string, from: string): string {
    if (!/^[\x21-\x7e]+$/.test(token)) throw new InputError(`${from}: expected a Hub token of printable characters without spaces (its value is not shown)`);
    return token;
}
