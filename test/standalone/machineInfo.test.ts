import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatMachineBlock, machineWarnings, parseInfoArgs } from "../../runner/cli/commands/info.ts";
import { InputError } from "../../runner/errors.ts";
import { gitInfo } from "../../runner/exec/gitInfo.ts";
import { backendDisplayName, describeMachine, formatOsName, macOSVersionFromDarwin, type MachineFacts } from "../../runner/exec/machineInfo.ts";

const GiB = 1024 ** 3;

const macFacts: MachineFacts = {
    platform: "darwin",
    release: "24.1.0",
    productVersion: "15.1.1",
    arch: "arm64",
    cpuModels: ["Apple M2 Pro", "Apple M2 Pro"],
    availableParallelism: 12,
    totalMemoryBytes: 32 * GiB,
    freeMemoryBytes: 20 * GiB,
    nodeVersion: "v22.11.0",
    nodeLlamaCppVersion: "3.22.1",
    llamaCppRelease: "b6000",
    gpu: "metal",
    gpuNames: ["Apple M2 Pro"],
    cpuMathCores: 8,
    vram: { total: 24 * GiB, used: 1 * GiB, free: 23 * GiB, unifiedSize: 24 * GiB },
    swap: { maxSize: Infinity, allocated: 2 * GiB, used: 0.5 * GiB }
};

const linuxFacts: MachineFacts = {
    platform: "linux",
    release: "6.1.0-18-amd64",
    productVersion: null,
    arch: "x64",
    cpuModels: ["  Intel(R)  Xeon(R) Processor "],
    availableParallelism: 2,
    totalMemoryBytes: 8 * GiB,
    freeMemoryBytes: 6 * GiB,
    nodeVersion: "v20.19.5",
    nodeLlamaCppVersion: "3.22.1",
    llamaCppRelease: "b6000",
    gpu: false,
    gpuNames: [],
    cpuMathCores: 2,
    vram: { total: 0, used: 0, free: 0, unifiedSize: 0 },
    swap: { maxSize: 0, allocated: 0, used: 0 }
};

const cudaFacts: MachineFacts = {
    ...linuxFacts,
    availableParallelism: 16,
    cpuMathCores: 8,
    gpu: "cuda",
    gpuNames: ["NVIDIA GeForce RTX 4090"],
    vram: { total: 24 * GiB, used: 2 * GiB, free: 22 * GiB, unifiedSize: 0 },
    swap: { maxSize: 4 * GiB, allocated: 4 * GiB, used: 0 }
};

describe("formatOsName", () => {
    it("prefers the macOS product version and falls back to the Darwin kernel mapping", () => {
        expect(formatOsName("darwin", "24.1.0", "15.1")).toBe("macOS 15.1");
        expect(formatOsName("darwin", "24.1.0", null)).toBe("macOS 15.1");
        expect(formatOsName("darwin", "25.0.0", null)).toBe("macOS 26.0");
        expect(formatOsName("darwin", "weird", null)).toBe("macOS (Darwin weird)");
    });

    it("keeps major.minor of a Linux kernel", () => {
        expect(formatOsName("linux", "6.1.0-18-amd64")).toBe("Linux 6.1");
        expect(formatOsName("linux", "5.15.153.1-microsoft-standard-WSL2")).toBe("Linux 5.15");
    });

    it("tells Windows 11 from 10 by build number", () => {
        expect(formatOsName("win32", "10.0.22631")).toBe("Windows 11 build 22631");
        expect(formatOsName("win32", "10.0.19045")).toBe("Windows 10 build 19045");
    });

    it("falls back to platform and release elsewhere", () => {
        expect(formatOsName("freebsd", "14.0-RELEASE")).toBe("freebsd 14.0-RELEASE");
    });
});

describe("macOSVersionFromDarwin", () => {
    it("maps kernel releases to marketing versions", () => {
        expect(macOSVersionFromDarwin("23.4.0")).toBe("14.4");
        expect(macOSVersionFromDarwin("22.1.0")).toBe("13.0");
        expect(macOSVersionFromDarwin("20.1.0")).toBe("11.0");
        expect(macOSVersionFromDarwin("19.6.0")).toBe("10.15");
        expect(macOSVersionFromDarwin("")).toBeNull();
    });
});

describe("describeMachine", () => {
    it("describes Apple silicon with Metal as unified memory with dynamic swap", () => {
        const machine = describeMachine(macFacts);
        expect(machine).toMatchObject({
            os: "macOS 15.1.1",
            arch: "arm64",
            cpu: "Apple M2 Pro",
            cores: 12,
            memoryBytes: 32 * GiB,
            backend: "metal",
            gpus: ["Apple M2 Pro"]
        });
        expect(machine.details.unifiedMemory).toBe(true);
        expect(machine.details.vram).toEqual({ totalBytes: 24 * GiB, usedBytes: 1 * GiB, freeBytes: 23 * GiB, unifiedBytes: 24 * GiB });
        expect(machine.details.swap).toEqual({ maxBytes: null, allocatedBytes: 2 * GiB, usedBytes: 0.5 * GiB });
        expect(machine.details.oversubscriptionProne).toBe(false);
    });

    it("counts Apple silicon as unified even when it runs on the CPU backend", () => {
        const machine = describeMachine({ ...macFacts, gpu: false, gpuNames: [], vram: { total: 0, used: 0, free: 0, unifiedSize: 0 } });
        expect(machine.backend).toBe("cpu");
        expect(machine.details.vram).toBeNull();
        expect(machine.details.unifiedMemory).toBe(true);
    });

    it("describes a 2-core Linux CPU machine: no VRAM, no swap, prone to oversubscription", () => {
        const machine = describeMachine(linuxFacts);
        expect(machine.os).toBe("Linux 6.1");
        expect(machine.cpu).toBe("Intel(R) Xeon(R) Processor");
        expect(machine.backend).toBe("cpu");
        expect(machine.gpus).toEqual([]);
        expect(machine.details).toMatchObject({ vram: null, swap: null, unifiedMemory: false, oversubscriptionProne: true, kernel: "6.1.0-18-amd64" });
    });

    it("describes a discrete CUDA GPU as not unified", () => {
        const machine = describeMachine(cudaFacts);
        expect(machine.backend).toBe("cuda");
        expect(machine.details.unifiedMemory).toBe(false);
        expect(machine.details.swap).toEqual({ maxBytes: 4 * GiB, allocatedBytes: 4 * GiB, usedBytes: 0 });
        expect(machine.details.oversubscriptionProne).toBe(false);
    });

    it("flags a machine whose math cores equal its logical cores", () => {
        expect(describeMachine({ ...cudaFacts, availableParallelism: 4, cpuMathCores: 4 }).details.oversubscriptionProne).toBe(true);
    });

    it("reports an unknown CPU model instead of an empty string", () => {
        expect(describeMachine({ ...linuxFacts, cpuModels: ["", " "] }).cpu).toBe("unknown");
        expect(describeMachine({ ...linuxFacts, cpuModels: [] }).cpu).toBe("unknown");
    });
});

describe("info output", () => {
    it("names the backend, GPU and unified VRAM on a Mac", () => {
        const block = formatMachineBlock(describeMachine(macFacts));
        expect(block).toMatch(/^backend\s+Metal$/m);
        expect(block).toMatch(/^gpus\s+Apple M2 Pro$/m);
        expect(block).toMatch(/^vram\s+24 GiB total, 23 GiB free \(unified with RAM\)$/m);
        expect(block).toMatch(/^os\s+macOS 15\.1\.1 arm64$/m);
        expect(block).toMatch(/^node-llama-cpp\s+3\.22\.1$/m);
        expect(block).toMatch(/^llama\.cpp\s+b6000$/m);
        expect(machineWarnings(describeMachine(macFacts))).toEqual([]);
    });

    it("says none for GPU and VRAM on a CPU machine and warns about threads", () => {
        const machine = describeMachine(linuxFacts);
        const block = formatMachineBlock(machine);
        expect(block).toMatch(/^backend\s+CPU$/m);
        expect(block).toMatch(/^gpus\s+none$/m);
        expect(block).toMatch(/^vram\s+none$/m);
        expect(machineWarnings(machine)).toHaveLength(1);
        expect(machineWarnings(machine)[0]).toBe(
            "2 cores: single-token decode through node-llama-cpp stalls when threads == cores; threads: auto decodes at 1 " +
            "and runs prompt batches at all cores (threadsBatch: auto); an explicit threads: 2 gives up the first"
        );
    });

    it("names the engine that loaded: build type, release and compile-time features", () => {
        const engine = { build: "localBuild" as const, llamaCpp: { repo: "ggml-org/llama.cpp", release: "v0.5.0" }, systemInfo: "CPU : AVX2 = 1 | OPENMP = 1 |", features: ["backend:CPU", "AVX2", "OPENMP"] };
        expect(formatMachineBlock({ ...describeMachine(linuxFacts), engine })).toMatch(/^engine\s+localBuild v0\.5\.0 \(AVX2, OPENMP\)$/m);
        expect(formatMachineBlock(describeMachine(linuxFacts))).not.toMatch(/^engine/m);
    });

    it("maps backend ids to display names", () => {
        expect(["metal", "cuda", "vulkan", "cpu"].map(backendDisplayName)).toEqual(["Metal", "CUDA", "Vulkan", "CPU"]);
    });
});

describe("parseInfoArgs", () => {
    it("reads --json, --help and --gpu in both spellings", () => {
        expect(parseInfoArgs([])).toEqual({ json: false, gpu: "auto", engine: "prebuilt", help: false });
        expect(parseInfoArgs(["--json", "--gpu", "false", "--engine", "local"])).toEqual({ json: true, gpu: false, engine: "local", help: false });
        expect(parseInfoArgs(["--gpu=vulkan", "-h"])).toEqual({ json: false, gpu: "vulkan", engine: "prebuilt", help: true });
    });

    it("reads --out as JSON written to a file", () => {
        expect(parseInfoArgs(["--out", "machine.json"])).toEqual({ json: true, out: "machine.json", gpu: "auto", engine: "prebuilt", help: false });
    });

    it("rejects unknown flags, bad --gpu values and stray words with one input-error line (exit 2)", () => {
        const cases: [string[], RegExp][] = [
            [["--bogus"], /^info: Unknown option '--bogus'/], [["--gpu", "rocm"], /^--gpu: expected one of `auto`, `metal`, `cuda`, `vulkan`, `false`, got `rocm`$/],
            [["--gpu"], /^info: Option '--gpu <value>' argument missing/], [["extra"], /^info: expected no file or word, got `extra`/],
            [["--out", ""], /^--out: expected a file name/], [["--engine", "mine"], /^--engine: expected one of `prebuilt`, `local`, got `mine`$/], [["--gpu", "\u001b[2J"], /got `\\x1b\[2J`$/]
        ];
        for (const [argv, message] of cases) {
            let thrown: unknown;
            try {
                parseInfoArgs(argv);
            } catch (error) {
                thrown = error;
            }
            expect(thrown, argv.join(" ")).toBeInstanceOf(InputError);
            expect((thrown as Error).message).toMatch(message);
            expect((thrown as Error).message).not.toContain("\n");
        }
    });
});

describe("gitInfo", () => {
    it("reads commit and dirty state of a checkout, null outside one", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-git-"));
        try {
            expect(gitInfo(dir)).toEqual({ commit: null, dirty: null });
            const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
            try {
                git("init", "-q");
            } catch {
                return; // no git on this machine: the null case above is all there is to check
            }
            writeFileSync(path.join(dir, "a.txt"), "a");
            expect(gitInfo(dir)).toEqual({ commit: null, dirty: true });
            git("add", "a.txt");
            git("-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "a");
            const clean = gitInfo(dir);
            expect(clean.commit).toMatch(/^[0-9a-f]{40}$/);
            expect(clean.dirty).toBe(false);
            writeFileSync(path.join(dir, "a.txt"), "b");
            expect(gitInfo(dir)).toEqual({ commit: clean.commit, dirty: true });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
