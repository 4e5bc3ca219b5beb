/**
 * Where GGUF files already sit on a machine: the Hugging Face hub cache, LM Studio's and llama.cpp's model folders,
 * Ollama's store, and any folder the user names. Home and environment are parameters, so tests lay out fake homes.
 */
import path from "node:path";

export type LocationKind = "hf" | "lmstudio" | "llamacpp" | "ollama" | "folder";

export interface Location {
    kind: LocationKind;
    dir: string;
    /** Named by the user (`--discover DIR`): a missing or unreadable one is reported; a default one is skipped quietly when absent. */
    given: boolean;
}

export const kindNames: Readonly<Record<LocationKind, string>> = {
    hf: "Hugging Face cache", lmstudio: "LM Studio", llamacpp: "llama.cpp cache", ollama: "Ollama", folder: "folder"
};

type Env = Readonly<Record<string, string | undefined>>;
const set = (value: string | undefined) => (value != null && value.trim() !== "" ? value : undefined);

/**
 * The default locations for `home` and `env`, as each tool lays its files out:
 * - Hugging Face: `HF_HUB_CACHE` (or `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`;
 * - LM Studio: `~/.lmstudio/models` and the older `~/.cache/lm-studio/models`;
 * - llama.cpp (`-hf` downloads): `LLAMA_CACHE`, else `$XDG_CACHE_HOME/llama.cpp` or `~/.cache/llama.cpp`, and `~/Library/Caches/llama.cpp` (macOS);
 * - Ollama: `OLLAMA_MODELS`, else `~/.ollama/models`, and `systemOllama` (the Linux service's `/usr/share/ollama/.ollama/models`).
 */
export function defaultLocations(home: string, env: Env, systemOllama: readonly string[] = ["/usr/share/ollama/.ollama/models"]): Location[] {
    const cache = set(env.XDG_CACHE_HOME) ?? path.join(home, ".cache");
    const hf = set(env.HF_HUB_CACHE) ?? set(env.HUGGINGFACE_HUB_CACHE) ?? path.join(set(env.HF_HOME) ?? path.join(cache, "huggingface"), "hub");
    const ollama = set(env.OLLAMA_MODELS);
    const found: Location[] = [
        { kind: "hf", dir: hf, given: false },
        { kind: "lmstudio", dir: path.join(home, ".lmstudio", "models"), given: false },
        { kind: "lmstudio", dir: path.join(home, ".cache", "lm-studio", "models"), given: false },
        { kind: "llamacpp", dir: set(env.LLAMA_CACHE) ?? path.join(cache, "llama.cpp"), given: false },
        { kind: "llamacpp", dir: path.join(home, "Library", "Caches", "llama.cpp"), given: false },
        ...(ollama != null ? [ollama] : [path.join(home, ".ollama", "models"), ...systemOllama]).map((dir): Location => ({ kind: "ollama", dir, given: false }))
    ];
    const seen = new Set<string>();
    return found.filter((l) => !seen.has(path.resolve(l.dir)) && seen.add(path.resolve(l.dir)));
}

/** A folder the user named: an Ollama store when it holds `manifests/` and `blobs/` (checked by the scan), else any folder. */
export function givenLocation(dir: string): Location {
    return { kind: "folder", dir: path.resolve(dir), given: true };
}
