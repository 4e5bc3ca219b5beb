/** `npm run info`: the machine context every report starts with (CPU, cores, memory, OS, backend, GPUs, VRAM, versions). */
import { writeFile } from "node:fs/promises";
import { NoBinaryFoundError } from "node-llama-cpp";
import { exitCodes, InputError } from "../../errors.ts";
import { backendDisplayName, collectMachineInfo, type MachineReport } from "../../exec/machineInfo.ts";
import { formatBytes } from "../../format/bytes.ts";
import { visible } from "../../format/visible.ts";
import { engines, gpuBackends, parseGpuBackend, type Engine, type GpuBackend } from "../../suite/types.ts";
import { engineLine } from "../../engine/engineInfo.ts";
import { noLocalBuildAdvice } from "../../engine/engineOptions.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";

/** Arguments of `info`. */
export interface InfoArgs {
    /** Print the machine facts as JSON instead of a readable block. Defaults to `false`. */
    json: boolean;
    /** Write the JSON to this file instead of stdout (implies `json`). Defaults to none. */
    out?: string;
    /** GPU backend to load, as in a suite's `gpu`. Defaults to `"auto"`. */
    gpu: GpuBackend;
    /** The llama.cpp build to load, as in a suite's `engine`. Defaults to `"prebuilt"`. */
    engine: Engine;
    /** Print usage and exit. Defaults to `false`. */
    help: boolean;
}

const gpuChoices = gpuBackends.map(String).join("|");

export const infoUsage = `Usage: npm run info -- [--json] [--out FILE] [--gpu ${gpuChoices}] [--engine ${engines.join("|")}]

Prints this machine's context: CPU, cores, memory, OS, llama.cpp backend (Metal/CUDA/Vulkan/CPU),
GPU names, VRAM, node-llama-cpp and llama.cpp versions, and the llama.cpp binary that loaded (prebuilt or
a local build, its release and the compile-time features llama.cpp reports: OPENMP, AVX variants, ...).

Options:
  --json        print the facts as JSON (the run file's "machine" object plus "details"); npm prints its own
                banner on stdout first, so run \`npm run -s info -- --json\` to get JSON alone
  --out FILE    write that JSON to FILE instead
  --gpu VALUE   backend to load; default auto (the best one that works here)
  --engine VALUE  the llama.cpp build to load: prebuilt (default) or local (\`npm run engine -- build\`)
  -h, --help    show this help`;

/** Parses `info`'s arguments; anything it does not know is a one-line InputError (exit 2). */
export function parseInfoArgs(argv: string[]): InfoArgs {
    const { values, positionals } = parseCommandArgs("info", argv, {
        json: { type: "boolean" }, out: { type: "string" }, gpu: { type: "string" }, engine: { type: "string" }, help: { type: "boolean", short: "h" }
    });
    if (positionals.length > 0) throw new InputError(`info: expected no file or word, got \`${visible(positionals.join(" "))}\` (see --help)`);
    if (values.out === "") throw new InputError("--out: expected a file name, got an empty value");
    const gpu = values.gpu == null ? "auto" : parseGpuBackend(values.gpu);
    if (gpu === undefined) throw new InputError(`--gpu: expected one of ${gpuBackends.map((b) => `\`${String(b)}\``).join(", ")}, got \`${visible(values.gpu!)}\``);
    const engine = values.engine == null ? "prebuilt" : engines.find((known) => known === values.engine);
    if (engine === undefined) throw new InputError(`--engine: expected one of ${engines.map((e) => `\`${e}\``).join(", ")}, got \`${visible(values.engine!)}\``);
    return { json: (values.json ?? false) || values.out != null, ...values.out != null ? { out: values.out } : {}, gpu, engine, help: values.help ?? false };
}

/** Runs `info`; returns the exit code. */
export async function infoCommand(argv: string[]): Promise<number> {
    const args = parseInfoArgs(argv);
    if (args.help) {
        process.stdout.write(infoUsage + "\n");
        return exitCodes.ok;
    }

    let machine: MachineReport;
    try {
        machine = await collectMachineInfo({ gpu: args.gpu, engine: args.engine });
    } catch (error) {
        if (error instanceof NoBinaryFoundError && args.engine === "local") throw new InputError(`engine \`local\` with gpu \`${String(args.gpu)}\`: ${noLocalBuildAdvice}`);
        const message = error instanceof NoBinaryFoundError
            ? "no prebuilt or local llama.cpp binary for it works on this machine"
            : (error instanceof Error ? error.message : String(error)).split("\n")[0];
        throw new InputError(`could not load llama.cpp with gpu \`${String(args.gpu)}\`: ${message}`);
    }

    if (args.out != null) {
        await writeFile(args.out, JSON.stringify(machine, null, 2) + "\n").catch((error: NodeJS.ErrnoException) => {
            throw new InputError(`--out ${visible(args.out!)}: cannot write it (${error.code ?? error.message})`);
        });
    } else if (args.json) process.stdout.write(JSON.stringify(machine, null, 2) + "\n");
    else {
        process.stdout.write(formatMachineBlock(machine) + "\n");
        for (const warning of machineWarnings(machine)) process.stderr.write(`warning: ${warning}\n`);
    }
    return exitCodes.ok;
}

/** The readable block: one `label  value` line per fact, each shown through `visible` (names come from the OS and drivers). Pure. */
export function formatMachineBlock(machine: MachineReport): string {
    const { details } = machine;
    const vram = details.vram === null || details.vram.totalBytes === 0
        ? "none"
        : `${formatBytes(details.vram.totalBytes)} total, ${formatBytes(details.vram.freeBytes)} free` +
            (details.unifiedMemory ? " (unified with RAM)" : "");
    const swap = details.swap === null
        ? "none"
        : details.swap.maxBytes === null
            ? `dynamic, ${formatBytes(details.swap.usedBytes)} used`
            : `${formatBytes(details.swap.maxBytes)}, ${formatBytes(details.swap.usedBytes)} used`;
    const rows: [string, string][] = [
        ["cpu", machine.cpu],
        ["cores", `${machine.cores} (${details.cpuMathCores} used for math by llama.cpp)`],
        ["memory", `${formatBytes(machine.memoryBytes)} (${formatBytes(details.freeMemoryBytes)} free)`],
        ["swap", swap],
        ["os", `${machine.os} ${machine.arch}`],
        ["node", machine.node],
        ["backend", backendDisplayName(machine.backend)],
        ["gpus", machine.gpus.length === 0 ? "none" : machine.gpus.join(", ")],
        ["vram", vram],
        ["node-llama-cpp", machine.nodeLlamaCpp],
        ["llama.cpp", machine.llamaCpp],
        ...machine.engine != null ? [["engine", engineLine(machine.engine)] as [string, string]] : []
    ];
    const width = Math.max(...rows.map(([label]) => label.length)) + 2;
    return rows.map(([label, value]) => label.padEnd(width) + visible(value)).join("\n");
}

/** What to try next on this machine, printed to stderr after the block. Pure. */
export function machineWarnings(machine: MachineReport): string[] {
    const warnings: string[] = [];
    if (machine.details.oversubscriptionProne)
        warnings.push(
            `${machine.cores} cores: single-token decode through node-llama-cpp stalls when threads == cores; ` +
            `threads: auto decodes at ${Math.max(1, machine.cores - 1)} and runs prompt batches at all cores (threadsBatch: auto); ` +
            `an explicit threads: ${machine.cores} gives up the first`
        );
    return warnings;
}
