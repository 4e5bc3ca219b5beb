/**
 * What a local build of llama.cpp needs on this machine before node-llama-cpp's source build can start: CMake, a C
 * and C++ compiler, and git (node-llama-cpp clones its bundled source with it). node-llama-cpp would try to download
 * CMake when it is missing, which fails offline, so it is asked for here. `missingBuildTools` is pure: tests pass
 * the facts of any machine.
 */
import fs from "node:fs";
import path from "node:path";

export interface BuildToolFacts {
    platform: NodeJS.Platform;
    /** Whether a command of that name is on the PATH. */
    has: (command: string) => boolean;
}

export interface MissingTool {
    /** What is missing, e.g. `cmake`, `a C++ compiler (c++, g++ or clang++)`. */
    tool: string;
}

/** The tools missing for a local build on this platform; empty when everything is there. Pure. */
export function missingBuildTools(facts: BuildToolFacts): MissingTool[] {
    const missing: MissingTool[] = [];
    const anyOf = (commands: string[]) => commands.some((command) => facts.has(command));
    if (!facts.has("cmake")) missing.push({ tool: "cmake" });
    if (!facts.has("git")) missing.push({ tool: "git" });
    // on Windows node-llama-cpp finds Visual Studio's compilers itself (they are not on the PATH)
    if (facts.platform !== "win32") {
        if (!anyOf(["cc", "gcc", "clang"])) missing.push({ tool: "a C compiler (cc, gcc or clang)" });
        if (!anyOf(["c++", "g++", "clang++"])) missing.push({ tool: "a C++ compiler (c++, g++ or clang++)" });
    }
    return missing;
}

/** How to install the build tools on this platform (one line). Pure. */
export function installAdvice(platform: NodeJS.Platform): string {
    switch (platform) {
        case "darwin": return "install the Xcode command line tools (`xcode-select --install`) and CMake (`brew install cmake`)";
        case "win32": return "install CMake, git and Visual Studio Build Tools with the \"Desktop development with C++\" workload";
        default: return "install them with your package manager, e.g. `sudo apt install cmake build-essential git` (Debian, Ubuntu) or `sudo dnf install cmake gcc gcc-c++ git` (Fedora)";
    }
}

/** Whether `command` is an executable file in one of `pathVariable`'s folders (with PATHEXT's endings on Windows). */
export function onPath(command: string, pathVariable: string, platform: NodeJS.Platform = process.platform): boolean {
    const endings = platform === "win32" ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";")] : [""];
    return pathVariable.split(path.delimiter).filter((dir) => dir !== "").some((dir) => endings.some((ending) => {
        try {
            fs.accessSync(path.join(dir, command + ending), fs.constants.X_OK);
            return fs.statSync(path.join(dir, command + ending)).isFile();
        } catch {
            return false;
        }
    }));
}
