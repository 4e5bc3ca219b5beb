/**
 * `npm run engine -- build [--gpu auto|cuda|vulkan|metal|false]`: makes the local engine (a llama.cpp build for
 * node-llama-cpp, made on this machine from the source node-llama-cpp ships, offline) that `engine: local` runs on.
 */
import { exitCodes, InputError } from "../../errors.ts";
import { formatMs } from "../../format/duration.ts";
import { visible } from "../../format/visible.ts";
import { buildGpus, buildLocalEngine, type BuildGpu, type BuildOutcome, type BuildProgress } from "../../engine/buildLocalEngine.ts";
import { installAdvice, missingBuildTools, onPath, type BuildToolFacts } from "../../engine/buildTools.ts";
import { engineLine } from "../../engine/engineInfo.ts";
import { probeEngine } from "../../exec/probeMachine.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { progressBar } from "../progress.ts";

/** Arguments of `engine`. */
export interface EngineArgs {
    /** What to do: `build`. */
    action: "build";
    /** The GPU backend to build for, as node-llama-cpp's `source download --gpu`. Defaults to `"auto"`. */
    gpu: BuildGpu;
    /** Print usage and exit. Defaults to `false`. */
    help: boolean;
}

export const engineUsage = `Usage: npm run engine -- build [--gpu ${buildGpus.join("|")}]

Builds llama.cpp for node-llama-cpp on this machine (OpenMP, this CPU's own instructions), from the source
node-llama-cpp ships in its package, without network, through node-llama-cpp's own source build
(\`node-llama-cpp source download\`). The build goes where node-llama-cpp keeps local builds
(node_modules/node-llama-cpp/llama/localBuilds); suites then run on it with \`engine: local\`.
Needs CMake, a C and C++ compiler and git. Takes about 10 to 20 minutes on 2 cores (see docs/engine.md).

Options:
  --gpu VALUE   backend to build for; default auto (node-llama-cpp picks CUDA or Vulkan when this machine has
                them, else CPU only); false builds for the CPU alone
  -h, --help    show this help`;

/** Parses `engine`'s arguments; anything it does not know is a one-line InputError (exit 2). */
export function parseEngineArgs(argv: string[]): EngineArgs {
    const { values, positionals } = parseCommandArgs("engine", argv, { gpu: { type: "string" }, help: { type: "boolean", short: "h" } });
    const help = values.help ?? false;
    const gpu = values.gpu == null ? "auto" : buildGpus.find((known) => known === values.gpu);
    if (gpu === undefined) throw new InputError(`--gpu: expected one of ${buildGpus.map((g) => `\`${g}\``).join(", ")}, got \`${visible(values.gpu!)}\``);
    if (help) return { action: "build", gpu, help };
    if (positionals.length !== 1 || positionals[0] !== "build")
        throw new InputError(`engine: expected the action \`build\`, got ${positionals.length === 0 ? "nothing" : `\`${visible(positionals.join(" "))}\``} (see --help)`);
    return { action: "build", gpu, help };
}

/** The refusal when the tools a build needs are missing: what is missing and how to install it. Pure. */
export function checkBuildTools(facts: BuildToolFacts): void {
    const missing = missingBuildTools(facts);
    if (missing.length > 0)
        throw new InputError(`engine build: ${missing.map((m) => m.tool).join(", ")} not found on the PATH; ${installAdvice(facts.platform)}`);
}

/** One progress line of the build. Pure. */
export function formatBuildProgress(progress: BuildProgress, elapsedMs: number): string {
    const elapsed = formatMs(elapsedMs);
    switch (progress.stage) {
        case "clone": return `engine build · unpacking node-llama-cpp's llama.cpp source ${progressBar(progress.fraction, 20)} · ${elapsed}`;
        case "configure": return `engine build · configuring (cmake) · ${elapsed}`;
        case "compile": return `engine build · compiling ${progressBar(progress.done / progress.total, 20)} ${progress.done}/${progress.total} · ${elapsed}`;
    }
}

/** Runs `engine`; returns the exit code. `facts` and `build` are injectable for tests. */
export async function engineCommand(
    argv: string[],
    facts: BuildToolFacts = { platform: process.platform, has: (command) => onPath(command, process.env.PATH ?? "") },
    build: typeof buildLocalEngine = buildLocalEngine
): Promise<number> {
    const args = parseEngineArgs(argv);
    if (args.help) {
        process.stdout.write(engineUsage + "\n");
        return exitCodes.ok;
    }
    checkBuildTools(facts);

    const live = process.stderr.isTTY === true && process.env.CI == null;
    const started = performance.now();
    let lastStage = "";
    let lastDraw = 0;
    const outcome: BuildOutcome = await build(args.gpu, (progress) => {
        const line = formatBuildProgress(progress, performance.now() - started);
        if (live) {
            const now = performance.now();
            if (now - lastDraw < 100 && progress.stage === lastStage) return;
            lastDraw = now;
            process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
        } else if (progress.stage !== lastStage || (progress.stage === "compile" && progress.done % 25 === 0)) {
            process.stderr.write(`${line}\n`);
        }
        lastStage = progress.stage;
    });
    if (live) process.stderr.write("\r\x1b[2K");
    if (!outcome.ok) {
        for (const line of outcome.tail) process.stderr.write(`  ${visible(line)}\n`);
        process.stderr.write(`engine build failed after ${formatMs(outcome.ms)} (node-llama-cpp's last lines above)\n`);
        return exitCodes.someFailed;
    }
    const gpu = args.gpu === "false" ? false : args.gpu;
    const engine = await probeEngine(gpu, "local");
    console.log(`local engine built in ${formatMs(outcome.ms)}: ${visible(engineLine(engine))}`);
    console.log("suites run on it with `engine: local` (or `matrix: { engine: [prebuilt, local] }` to compare)");
    return exitCodes.ok;
}
