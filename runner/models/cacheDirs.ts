/** Where models, the sha256 cache and Hub credentials come from, read from the environment the way huggingface_hub does. */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
    return value != null && value.trim() !== "" ? value : undefined;
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

/** The Hub's base URL: `HF_ENDPOINT`, else `https://huggingface.co` (no trailing slash). */
export function hubEndpoint(env: Env = process.env): string {
    return (nonEmpty(env.HF_ENDPOINT) ?? "https://huggingface.co").replace(/\/+$/, "");
}

/**
 * The Hub token: `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the file `huggingface-cli login` writes
 * (`HF_TOKEN_PATH`, else `$HF_HOME/token`). `undefined` when there is none.
 */
export function hubToken(env: Env = process.env): string | undefined {
    const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
    if (fromEnv != null) return fromEnv.trim();
    try {
        return nonEmpty(readFileSync(nonEmpty(env.HF_TOKEN_PATH) ?? path.join(hfHome(env), "token"), "utf8"))?.trim();
    } catch {
        return undefined;
    }
}
