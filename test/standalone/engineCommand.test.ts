import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkBuildTools, engineCommand, formatBuildProgress, parseEngineArgs } from "../../runner/cli/commands/engine.ts";
import { buildEnvironment, buildProgress, nodeLlamaCppCli } from "../../runner/engine/buildLocalEngine.ts";
import { missingBuildTools, onPath } from "../../runner/engine/buildTools.ts";
import { InputError } from "../../runner/errors.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

describe("engine build: arguments", () => {
    it("reads build and --gpu; refuses other actions and values with one line", () => {
        expect(parseEngineArgs(["build"])).toEqual({ action: "build", gpu: "auto", help: false });
        expect(parseEngineArgs(["build", "--gpu", "false"])).toEqual({ action: "build", gpu: "false", help: false });
        expect(parseEngineArgs(["--gpu=cuda", "build"])).toEqual({ action: "build", gpu: "cuda", help: false });
        expect(() => parseEngineArgs([])).toThrow(new InputError("engine: expected the action `build`, got nothing (see --help)"));
        expect(() => parseEngineArgs(["rebuild"])).toThrow(new InputError("engine: expected the action `build`, got `rebuild` (see --help)"));
        expect(() => parseEngineArgs(["build", "--gpu", "rocm"])).toThrow(new InputError("--gpu: expected one of `auto`, `cuda`, `vulkan`, `metal`, `false`, got `rocm`"));
    });
});

describe("engine build: the tools it needs", () => {
    const all = new Set(["cmake", "git", "cc", "c++"]);
    it("names each missing tool and how to install it on this platform", () => {
        expect(missingBuildTools({ platform: "linux", has: (c) => all.has(c) })).toEqual([]);
        expect(missingBuildTools({ platform: "linux", has: (c) => c === "clang" || c === "clang++" || c === "git" })).toEqual([{ tool: "cmake" }]);
        expect(missingBuildTools({ platform: "linux", has: () => false }).map((m) => m.tool))
            .toEqual(["cmake", "git", "a C compiler (cc, gcc or clang)", "a C++ compiler (c++, g++ or clang++)"]);
        // Windows: node-llama-cpp finds Visual Studio itself
        expect(missingBuildTools({ platform: "win32", has: (c) => c === "cmake" || c === "git" })).toEqual([]);
        expect(() => checkBuildTools({ platform: "linux", has: (c) => c !== "cmake" })).toThrow(
            new InputError("engine build: cmake not found on the PATH; install them with your package manager, e.g. `sudo apt install cmake build-essential git` (Debian, Ubuntu) or `sudo dnf install cmake gcc gcc-c++ git` (Fedora)"));
        expect(() => checkBuildTools({ platform: "darwin", has: (c) => c !== "c++" && c !== "g++" && c !== "clang++" })).toThrow(/C\+\+ compiler .*xcode-select --install/);
    });

    it("looks for executables on the PATH it is given", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-path-"));
        try {
            fs.writeFileSync(path.join(dir, "cmake"), "#!/bin/sh\n", { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "git"), "not executable", { mode: 0o644 });
            expect(onPath("cmake", dir, "linux")).toBe(true);
            expect(onPath("git", dir, "linux")).toBe(false);
            expect(onPath("cmake", "", "linux")).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses with exit 2 and starts no build when run with a PATH that holds none of them", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-path-"));
        try {
            const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
                execFile(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "engine", "build"], { cwd: repoRoot, env: { ...process.env, PATH: dir } }, (error, _stdout, stderr) => {
                    resolve({ code: error == null ? 0 : (error.code as number), stderr });
                });
            });
            expect(result.code).toBe(2);
            expect(result.stderr.trim()).toBe("gguf-bench: engine build: cmake, git, a C compiler (cc, gcc or clang), a C++ compiler (c++, g++ or clang++) not found on the PATH; " +
                "install them with your package manager, e.g. `sudo apt install cmake build-essential git` (Debian, Ubuntu) or `sudo dnf install cmake gcc gcc-c++ git` (Fedora)");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 60_000);
});

describe("engine build: node-llama-cpp's source build", () => {
    it("reads progress from its output: the clone, cmake, ninja's and make's counters, through ANSI escapes", () => {
        expect(buildProgress("\u001b[2K\u001b[1A\u001b[2K\u001b[GCloning ggml-org/llama.cpp (local bundle)                    62%")).toEqual({ stage: "clone", fraction: 0.62 });
        expect(buildProgress("-- The C compiler identification is GNU 12.2.0")).toEqual({ stage: "configure" });
        expect(buildProgress("[64/153] Building CXX object llama.cpp/src/CMakeFiles/llama.dir/llama-cparams.cpp.o")).toEqual({ stage: "compile", done: 64, total: 153 });
        expect(buildProgress("[ 42%] Building C object ggml/src/CMakeFiles/ggml-base.dir/ggml.c.o")).toEqual({ stage: "compile", done: 42, total: 100 });
        expect(buildProgress("Repo: ggml-org/llama.cpp")).toBeNull();
        expect(formatBuildProgress({ stage: "compile", done: 64, total: 128 }, 61_000)).toMatch(/^engine build · compiling \[#{10}\.{10}\] 64\/128 · /);
    });

    it("runs without CI (which would build as for the prebuilt binaries, and crashes node-llama-cpp when empty), through the package's own CLI", () => {
        expect(buildEnvironment({ CI: "", PATH: "/usr/bin" })).toEqual({ PATH: "/usr/bin" });
        expect(fs.existsSync(nodeLlamaCppCli())).toBe(true);
    });

    it("a failed build exits 1 with node-llama-cpp's last lines, and the tools are checked first", async () => {
        const has = () => true;
        let asked: string | undefined;
        const failing = async (gpu: string) => {
            asked = gpu;
            return { ok: false, ms: 1000, tail: ["CMake Error: boom"] };
        };
        const writes: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => { writes.push(chunk); return true; }) as typeof process.stderr.write;
        try {
            expect(await engineCommand(["build", "--gpu", "false"], { platform: "linux", has }, failing)).toBe(1);
        } finally {
            process.stderr.write = write;
        }
        expect(asked).toBe("false");
        expect(writes.join("")).toMatch(/CMake Error: boom\n.*engine build failed after/s);
        await expect(engineCommand(["build"], { platform: "linux", has: () => false }, failing)).rejects.toThrow(/not found on the PATH/);
    });
});
