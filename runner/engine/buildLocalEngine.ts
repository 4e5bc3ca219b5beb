/**
 * Makes the local engine with node-llama-cpp's own source build: its CLI's `source download`, which clones the
 * llama.cpp source node-llama-cpp ships in its package (`llama/gitRelease.bundle`, so no network) into its
 * `llama/llama.cpp` folder and compiles it into its `llama/localBuilds` folder, where `getLlama` finds it. Nothing
 * of gguf-bench's is built or kept: the build is node-llama-cpp's, as a user would make it.
 *
 * The CLI's output is read line by line for a progress display (`buildProgress`); the last lines are kept for the
 * error when the build fails.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

/** `--gpu` of the build: node-llama-cpp's own values (`auto` picks what this machine has, falling back to CPU). */
export const buildGpus = ["auto", "cuda", "vulkan", "metal", "false"] as const;
export type BuildGpu = typeof buildGpus[number];

/** Where a build is, read from one line of node-llama-cpp's output; null for a line that says nothing about it. */
export type BuildProgress = { stage: "clone"; fraction: number } | { stage: "configure" } | { stage: "compile"; done: number; total: number };

// the CLI draws with ANSI escapes (colours, cursor moves) on one line rewritten in place
const ansi = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Reads one line of `node-llama-cpp source download`'s output (ninja's `[12/153]`, make's `[ 42%]`, the clone's `NN%`). Pure. */
export function buildProgress(rawLine: string): BuildProgress | null {
    const line = rawLine.replace(ansi, "").trim();
    const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
    if (ninja != null) return { stage: "compile", done: Number(ninja[1]), total: Number(ninja[2]) };
    const make = /^\[\s*(\d+)%\]/.exec(line);
    if (make != null) return { stage: "compile", done: Number(make[1]), total: 100 };
    const clone = /^Cloning .*?(\d+)%/.exec(line);
    if (clone != null) return { stage: "clone", fraction: Number(clone[1]) / 100 };
    if (/^-- (The C compiler|Configuring|Build files)/.test(line)) return { stage: "configure" };
    return null;
}

/** The environment of the build: without `CI`, which makes node-llama-cpp build as for its prebuilt binaries (no OpenMP, no native CPU flags), and which it refuses to parse when empty. */
export function buildEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const { CI: _ci, ...rest } = env;
    return rest;
}

/** node-llama-cpp's CLI script (its package's `bin`). */
export function nodeLlamaCppCli(): string {
    return path.join(path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp")), "cli", "cli.js");
}

export interface BuildOutcome {
    ok: boolean;
    /** Wall time of the whole build (clone, configure, compile), ms. */
    ms: number;
    /** The last lines of node-llama-cpp's output, ANSI escapes removed (for the error of a failed build). */
    tail: string[];
}

/** Runs node-llama-cpp's source build for `gpu`, reporting progress; resolves when it ends (never rejects for a failed build). */
export function buildLocalEngine(gpu: BuildGpu, onProgress: (progress: BuildProgress) => void, env: NodeJS.ProcessEnv = process.env): Promise<BuildOutcome> {
    const started = performance.now();
    const tail: string[] = [];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [nodeLlamaCppCli(), "source", "download", "--gpu", gpu, "--noUsageExample"], {
            env: buildEnvironment(env), stdio: ["ignore", "pipe", "pipe"]
        });
        let pending = "";
        const read = (chunk: Buffer) => {
            const lines = (pending + chunk.toString("utf8")).split(/[\r\n]/);
            pending = lines.pop() ?? "";
            for (const line of lines) {
                const progress = buildProgress(line);
                if (progress != null) onProgress(progress);
                const plain = line.replace(ansi, "").trim();
                if (plain !== "" && tail.at(-1) !== plain) {
                    tail.push(plain);
                    if (tail.length > 30) tail.shift();
                }
            }
        };
        child.stdout.on("data", read);
        child.stderr.on("data", read);
        child.on("error", reject);
        child.on("close", (code) => resolve({ ok: code === 0, ms: performance.now() - started, tail }));
    });
}
