/**
 * Which llama.cpp a config ran on: node-llama-cpp's build type, the llama.cpp release it was built from, and the
 * compile-time features llama.cpp reports in its system-info string (OPENMP, the AVX variants, Metal, CUDA, …).
 * `describeEngine` is pure, so every form of the string is tested without a binary.
 */
import type { EngineInfo } from "../results.ts";

/** What node-llama-cpp's `Llama` says about its binary (`buildType`, `llamaCppRelease`, `systemInfo`). */
export interface EngineFacts {
    buildType: "prebuilt" | "localBuild";
    llamaCppRelease: { repo: string; release: string };
    systemInfo: string;
}

/** The engine record of a loaded binary. Pure. */
export function describeEngine(facts: EngineFacts): EngineInfo {
    return {
        build: facts.buildType,
        llamaCpp: { repo: facts.llamaCppRelease.repo, release: facts.llamaCppRelease.release },
        systemInfo: facts.systemInfo.trim(),
        features: systemInfoFeatures(facts.systemInfo)
    };
}

/**
 * The features of llama.cpp's system-info string (`CPU : SSE3 = 1 | AVX2 = 1 | OPENMP = 1 | REPACK = 1 |`, one
 * `BACKEND : ` prefix per backend): each flag set to 1 by name (`AVX2`), any other value as `NAME=value`, a flag set
 * to 0 left out, and each backend named as `backend:NAME` (`backend:CPU`, `backend:CUDA`, `backend:Metal`). Pure.
 */
export function systemInfoFeatures(systemInfo: string): string[] {
    const features: string[] = [];
    for (const raw of systemInfo.split("|")) {
        let part = raw.trim();
        const backend = /^([^=:]+?)\s*:\s*(.*)$/.exec(part);
        if (backend != null) {
            features.push(`backend:${backend[1]!.trim()}`);
            part = backend[2]!.trim();
        }
        const flag = /^([^=]+?)\s*=\s*(.*)$/.exec(part);
        if (flag == null) continue;
        const [name, value] = [flag[1]!.trim(), flag[2]!.trim()];
        if (value === "1") features.push(name);
        else if (value !== "0") features.push(`${name}=${value}`);
    }
    return [...new Set(features)];
}

/**
 * The size of libuv's thread pool a process with this environment gets, as libuv 1.x reads `UV_THREADPOOL_SIZE`
 * (src/threadpool.c): unset → 4; else its leading integer (`atoi`), 0 → 1, above 1024 → 1024, a negative number
 * wrapping to a huge unsigned one → 1024. Pure.
 */
export function uvThreadpoolSize(value: string | undefined): number {
    if (value == null) return 4;
    const parsed = Number.parseInt(value.trim(), 10);
    if (!Number.isFinite(parsed) || parsed === 0) return 1;
    return parsed < 0 || parsed > 1024 ? 1024 : parsed;
}

/** One line for terminals and tables: `localBuild v0.5.0 (OPENMP, AVX512, …)`. Pure. */
export function engineLine(engine: EngineInfo): string {
    const flags = engine.features.filter((feature) => !feature.startsWith("backend:"));
    return `${engine.build} ${engine.llamaCpp.release}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`;
}

/** Whether two records ran the same engine: build type, llama.cpp repo and release, features, and libuv pool size. Pure. */
export function sameEngine(a: EngineInfo, b: EngineInfo): boolean {
    return a.build === b.build && a.llamaCpp.repo === b.llamaCpp.repo && a.llamaCpp.release === b.llamaCpp.release &&
        a.features.length === b.features.length && a.features.every((feature, i) => feature === b.features[i]) &&
        a.uvThreadpoolSize === b.uvThreadpoolSize;
}

/**
 * What differs between the engines two paired configs ran on (`engine: prebuilt → localBuild`, `llama.cpp: v0.5.0 →
 * b7000`, `engine features: +OPENMP −LLAMAFILE`); empty when they are the same or either was not recorded. Pure.
 */
export function engineDifferences(b: EngineInfo | null | undefined, c: EngineInfo | null | undefined): string[] {
    if (b == null || c == null || sameEngine(b, c)) return [];
    const out: string[] = [];
    if (b.build !== c.build) out.push(`engine: ${b.build} → ${c.build}`);
    const release = (e: EngineInfo) => (e.llamaCpp.repo === "ggml-org/llama.cpp" ? e.llamaCpp.release : `${e.llamaCpp.repo}@${e.llamaCpp.release}`);
    if (release(b) !== release(c)) out.push(`llama.cpp: ${release(b)} → ${release(c)}`);
    const added = c.features.filter((feature) => !b.features.includes(feature));
    const removed = b.features.filter((feature) => !c.features.includes(feature));
    if (added.length + removed.length > 0) out.push(`engine features: ${[...added.map((f) => `+${f}`), ...removed.map((f) => `−${f}`)].join(" ")}`);
    // not the binary, but it moves decode speed at two threads or more by up to 2× (docs/engine.md): said too
    if (b.uvThreadpoolSize !== c.uvThreadpoolSize && (b.uvThreadpoolSize != null || c.uvThreadpoolSize != null))
        out.push(`libuv pool threads: ${b.uvThreadpoolSize ?? "4 (not recorded)"} → ${c.uvThreadpoolSize ?? "4 (not recorded)"}`);
    return out;
}
