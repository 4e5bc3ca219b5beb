/**
 * Which engine the llama-bench anchor ran. The same llama.cpp source is not the same machine code: node-llama-cpp's
 * prebuilt CPU backends come from its own build machine and compiler, and on a 2-vCPU AVX-512 VM a llama-bench
 * compiled here from the same source ran pp512 2 % faster with its own `libggml-cpu-zen4.so` than with
 * node-llama-cpp's (360M Q4_K_M, one thread, 4 interleaved rounds). So `fidelity` says whether llama-bench loaded
 * the very file node-llama-cpp ships; only then does a ratio measure our harness and nothing else.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** The CPU backend llama-bench reports loading (`load_backend: loaded CPU backend from PATH`), or `null`. */
export function parseCpuBackendPath(stderr: string): string | null {
    const match = /loaded CPU backend from (.+?)\s*$/m.exec(stderr);
    return match == null ? null : match[1]!;
}

/** node-llama-cpp's folder name for a platform and architecture (`linux-x64`, `mac-arm64`, `win-x64`), or `null`. */
export function prebuiltFolderName(platform: NodeJS.Platform, arch: string): string | null {
    const name = platform === "linux" ? "linux" : platform === "darwin" ? "mac" : platform === "win32" ? "win" : null;
    return name == null ? null : `${name}-${arch}`;
}

/** Where the installed node-llama-cpp keeps its prebuilt CPU binaries for this machine, or `null` if not installed. */
export function prebuiltBinsDir(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | null {
    const folder = prebuiltFolderName(platform, arch);
    if (folder == null) return null;
    try {
        // resolved from node-llama-cpp's own location, as node-llama-cpp does; the package exports only its
        // dist/index.js, whose folder's parent is the package root
        const nodeLlamaCpp = createRequire(import.meta.url).resolve("node-llama-cpp");
        const entry = createRequire(nodeLlamaCpp).resolve(`@node-llama-cpp/${folder}`);
        const dir = path.join(path.dirname(path.dirname(entry)), "bins", folder);
        return existsSync(dir) ? dir : null;
    } catch {
        return null;
    }
}

export interface AnchorEngine {
    /** The CPU backend file llama-bench loaded, or `null` when it did not say. */
    cpuBackend: string | null;
    /** The file of the same name among node-llama-cpp's prebuilt binaries, or `null` when there is none. */
    prebuilt: string | null;
    /** `same`: byte for byte the file node-llama-cpp ships; `different`: another build; `unknown`: nothing to compare. */
    verdict: "same" | "different" | "unknown";
}

export async function compareAnchorEngine(cpuBackend: string | null, binsDir: string | null): Promise<AnchorEngine> {
    const prebuiltPath = cpuBackend == null || binsDir == null ? null : path.join(binsDir, path.basename(cpuBackend));
    const prebuilt = prebuiltPath != null && existsSync(prebuiltPath) ? prebuiltPath : null;
    if (cpuBackend == null || prebuilt == null || !existsSync(cpuBackend)) return { cpuBackend, prebuilt, verdict: "unknown" };
    const [a, b] = await Promise.all([sha256(cpuBackend), sha256(prebuilt)]);
    return { cpuBackend, prebuilt, verdict: a === b ? "same" : "different" };
}

/** One line for the fidelity output. */
export function formatAnchorEngine(engine: AnchorEngine): string {
    if (engine.cpuBackend == null)
        return "anchor engine: llama-bench did not say which CPU backend it loaded (a build without GGML_BACKEND_DL?), so it may be other machine code than node-llama-cpp's";
    if (engine.verdict === "same")
        return `anchor engine: llama-bench loaded ${engine.cpuBackend}, byte for byte node-llama-cpp's prebuilt ${engine.prebuilt} (node-llama-cpp runs it unless it has a local build)`;
    if (engine.verdict === "different")
        return `anchor engine: llama-bench loaded ${engine.cpuBackend}, which differs from node-llama-cpp's prebuilt ${engine.prebuilt}: ` +
            "the ratios include the difference in machine code (scripts/build-matched-llama-bench.sh makes same-binaries/llama-bench)";
    return `anchor engine: llama-bench loaded ${engine.cpuBackend}; no node-llama-cpp prebuilt file of that name to compare it with`;
}

function sha256(file: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const hash = createHash("sha256");
        createReadStream(file).on("error", reject).on("data", (chunk) => hash.update(chunk)).on("end", () => resolve(hash.digest("hex")));
    });
}
