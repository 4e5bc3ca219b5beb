/**
 * The machine context recorded with every run and printed by `npm run info`.
 * Probing (OS, node-llama-cpp) is kept apart from the pure `describeMachine`, so every platform branch can be
 * tested with injected facts on any machine.
 */
import { execFile } from "node:child_process";
import os from "node:os";
import { getLlama, getModuleVersion, type Llama, type LlamaGpuType } from "node-llama-cpp";
import type { EngineInfo, MachineInfo } from "../results.ts";
import { terminalLlamaLogger } from "../format/llamaLogger.ts";
import type { Engine, GpuBackend } from "../suite/types.ts";
import { describeEngine } from "../engine/engineInfo.ts";
import { checkLoadedEngine, engineLlamaOptions } from "../engine/engineOptions.ts";

/** What the probes found, unformatted. */
export interface MachineFacts {
    /** `process.platform`. */
    platform: NodeJS.Platform;
    /** `os.release()`: the kernel version (`24.1.0` is Darwin for macOS 15.1). */
    release: string;
    /** The OS's own product version where it reports one (`sw_vers -productVersion` on macOS); else null. */
    productVersion: string | null;
    /** `process.arch`. */
    arch: string;
    /** `os.cpus()` model strings (may be empty or blank on some ARM Linux boards). */
    cpuModels: string[];
    /** `os.availableParallelism()`. */
    availableParallelism: number;
    totalMemoryBytes: number;
    /** Free RAM as node-llama-cpp counts it for its own fit decisions. */
    freeMemoryBytes: number;
    /** `process.version`. */
    nodeVersion: string;
    nodeLlamaCppVersion: string;
    /** `llama.llamaCppRelease.release`. */
    llamaCppRelease: string;
    /** `llama.gpu`: the backend that loaded. */
    gpu: LlamaGpuType;
    gpuNames: string[];
    /** `llama.cpuMathCores`: cores llama.cpp considers useful for math (performance cores, no hyperthreads). */
    cpuMathCores: number;
    /** `llama.getVramState()`. */
    vram: { total: number; used: number; free: number; unifiedSize: number };
    /** `llama.getSwapState()` where the installed node-llama-cpp has it; else null. `maxSize` is Infinity for dynamic swap (macOS). */
    swap: { maxSize: number; allocated: number; used: number } | null;
    /** This process's resident memory with node-llama-cpp and its backend loaded, no model; absent where not probed. */
    runtimeRssBytes?: number;
}

/** Facts beyond the run file's `machine` object: kept for `info --json`, fit checks and thread warnings. */
export interface MachineDetails {
    platform: NodeJS.Platform;
    /** Kernel release string as the OS reports it. */
    kernel: string;
    freeMemoryBytes: number;
    cpuMathCores: number;
    /**
     * Resident memory of a process that has loaded node-llama-cpp and its backend but no model (the probe child, run
     * as each config's child is): the part of every config's peak RSS that no GGUF estimate counts. Absent where not probed.
     */
    runtimeRssBytes?: number;
    /** Null when no GPU backend loaded. */
    vram: { totalBytes: number; usedBytes: number; freeBytes: number; unifiedBytes: number } | null;
    /** Null when the OS reports no swap; `maxBytes` null when swap grows on demand (macOS). */
    swap: { maxBytes: number | null; allocatedBytes: number; usedBytes: number } | null;
    /** CPU and GPU share one memory (Apple silicon, other SoCs): VRAM use counts against RAM. */
    unifiedMemory: boolean;
    /**
     * llama.cpp's default thread count leaves no core for Node's event loop (2 cores or fewer, or as many math cores
     * as logical cores), so threads == cores will run slower than expected: choose threads deliberately.
     */
    oversubscriptionProne: boolean;
}

/**
 * The machine (the run file's `machine` object: the hardware and the software versions) with its details, and the
 * llama.cpp binary that loaded: a config records its own (`engine`), as configs of one run may use different ones.
 */
export type MachineReport = MachineInfo & { details: MachineDetails; engine?: EngineInfo };

/** Turns probed facts into the run file's `machine` object plus details. Pure. */
export function describeMachine(facts: MachineFacts): MachineReport {
    const cores = Math.max(1, facts.availableParallelism);
    const cpuMathCores = facts.cpuMathCores > 0 ? facts.cpuMathCores : cores;
    const hasGpu = facts.gpu !== false;
    const unifiedMemory = facts.vram.unifiedSize > 0 || (facts.platform === "darwin" && facts.arch === "arm64");

    return {
        os: formatOsName(facts.platform, facts.release, facts.productVersion),
        arch: facts.arch,
        cpu: pickCpuModel(facts.cpuModels),
        cores,
        memoryBytes: facts.totalMemoryBytes,
        node: facts.nodeVersion,
        nodeLlamaCpp: facts.nodeLlamaCppVersion,
        llamaCpp: facts.llamaCppRelease,
        backend: facts.gpu === false ? "cpu" : facts.gpu,
        gpus: facts.gpuNames.map((name) => name.trim()).filter((name) => name !== ""),
        details: {
            platform: facts.platform,
            kernel: facts.release,
            freeMemoryBytes: facts.freeMemoryBytes,
            ...(facts.runtimeRssBytes != null ? { runtimeRssBytes: facts.runtimeRssBytes } : {}),
            cpuMathCores,
            vram: hasGpu
                ? {
                    totalBytes: facts.vram.total,
                    usedBytes: facts.vram.used,
                    freeBytes: facts.vram.free,
                    unifiedBytes: facts.vram.unifiedSize
                }
                : null,
            swap: describeSwap(facts.swap),
            unifiedMemory,
            oversubscriptionProne: cores <= 2 || cpuMathCores >= cores
        }
    };
}

/** `macOS 15.1`, `Linux 6.1`, `Windows 11 build 22631`, else `<platform> <release>`. Pure. */
export function formatOsName(platform: NodeJS.Platform, release: string, productVersion: string | null = null): string {
    switch (platform) {
        case "darwin": {
            const version = productVersion?.trim() || macOSVersionFromDarwin(release);
            return version !== null ? `macOS ${version}` : `macOS (Darwin ${release})`;
        }
        case "linux": {
            const match = /^(\d+)\.(\d+)/.exec(release);
            return match ? `Linux ${match[1]}.${match[2]}` : `Linux ${release}`;
        }
        case "win32": {
            const match = /^10\.0\.(\d+)/.exec(release);
            if (!match) return `Windows ${release}`;
            const build = Number(match[1]);
            return `Windows ${build >= 22000 ? 11 : 10} build ${build}`;
        }
        default:
            return `${platform} ${release}`;
    }
}

/**
 * The macOS version a Darwin kernel release belongs to (`24.1.0` → `15.1`, `25.0.0` → `26.0`, `19.6.0` → `10.15`).
 * Exact for macOS 13 and later, approximate in the minor for 11 and 12; only a fallback for when `sw_vers` is missing.
 */
export function macOSVersionFromDarwin(release: string): string | null {
    const match = /^(\d+)(?:\.(\d+))?/.exec(release);
    if (!match) return null;
    const major = Number(match[1]);
    const minor = Number(match[2] ?? 0);
    if (major >= 25) return `${major + 1}.${minor}`; // macOS 26 "Tahoe" is Darwin 25
    if (major >= 23) return `${major - 9}.${minor}`;
    if (major >= 20) return `${major - 9}.${Math.max(0, minor - 1)}`;
    if (major >= 5) return `10.${major - 4}`;
    return null;
}

/** Display name of a backend id: `Metal`, `CUDA`, `Vulkan`, `CPU`. */
export function backendDisplayName(backend: string): string {
    switch (backend) {
        case "metal": return "Metal";
        case "cuda": return "CUDA";
        case "vulkan": return "Vulkan";
        case "cpu": return "CPU";
        default: return backend;
    }
}

function pickCpuModel(models: string[]): string {
    const model = models.map((name) => name.replace(/\s+/g, " ").trim()).find((name) => name !== "" && name !== "unknown");
    return model ?? "unknown";
}

function describeSwap(swap: MachineFacts["swap"]): MachineDetails["swap"] {
    if (swap === null) return null;
    const dynamic = swap.maxSize === Infinity;
    if (!dynamic && swap.maxSize <= 0 && swap.allocated <= 0) return null;
    return { maxBytes: dynamic ? null : swap.maxSize, allocatedBytes: swap.allocated, usedBytes: swap.used };
}

/** Probes the OS and an existing `Llama` instance. */
export async function probeMachineFacts(llama: Llama): Promise<MachineFacts> {
    const [productVersion, nodeLlamaCppVersion, gpuNames, vram, ram, swap] = await Promise.all([
        process.platform === "darwin" ? readCommand("sw_vers", ["-productVersion"]) : Promise.resolve(null),
        getModuleVersion(),
        llama.getGpuDeviceNames(),
        llama.getVramState(),
        llama.getRamState(),
        typeof llama.getSwapState === "function" ? llama.getSwapState() : Promise.resolve(null)
    ]);
    return {
        platform: process.platform,
        release: os.release(),
        productVersion,
        arch: process.arch,
        cpuModels: os.cpus().map((cpu) => cpu.model),
        availableParallelism: os.availableParallelism(),
        totalMemoryBytes: os.totalmem(),
        freeMemoryBytes: ram.free,
        nodeVersion: process.version,
        nodeLlamaCppVersion,
        llamaCppRelease: llama.llamaCppRelease.release,
        gpu: llama.gpu,
        gpuNames,
        cpuMathCores: llama.cpuMathCores,
        vram,
        swap,
        runtimeRssBytes: process.memoryUsage().rss
    };
}

/**
 * Collects the machine context and the engine that loaded. Loads node-llama-cpp for `gpu` and `engine` (never
 * building from source) unless `llama` is given, and disposes what it loaded. Throws when the requested backend or
 * engine cannot load.
 */
export async function collectMachineInfo(opts: { gpu: GpuBackend; engine?: Engine; llama?: Llama }): Promise<MachineReport> {
    const engine = opts.engine ?? "prebuilt";
    const llama = opts.llama ?? await getLlama({ ...engineLlamaOptions(engine), gpu: opts.gpu, logger: terminalLlamaLogger(), progressLogs: false });
    try {
        if (opts.llama === undefined) checkLoadedEngine(engine, llama.buildType);
        return { ...describeMachine(await probeMachineFacts(llama)), engine: describeEngine(llama) };
    } finally {
        if (opts.llama === undefined) await llama.dispose();
    }
}

function readCommand(command: string, args: string[]): Promise<string | null> {
    return new Promise((resolve) => {
        execFile(command, args, { timeout: 5_000, encoding: "utf8" }, (error, stdout) => {
            resolve(error || stdout.trim() === "" ? null : stdout.trim());
        });
    });
}
