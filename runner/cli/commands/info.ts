/** `npm run info`: the machine context every report starts with (CPU, cores, memory, OS, backend, GPUs, VRAM, versions). */
import { NoBinaryFoundError } from "node-llama-cpp";
import { exitCodes } from "../../errors.ts";
import { backendDisplayName, collectMachineInfo, type MachineReport } from "../../exec/machineInfo.ts";
import { formatBytes } from "../../format/bytes.ts";
import type { GpuBackend } from "../../suite/types.ts";

/** Arguments of `info`. */
export interface InfoArgs {
    /** Print the machine facts as JSON instead of a readable block. Defaults to `false`. */
    json: boolean;
    /** GPU backend to load, as in a suite's `gpu`. Defaults to `"auto"`. */
    gpu: GpuBackend;
    /** Print usage and exit. Defaults to `false`. */
    help: boolean;
}

const gpuChoices = ["auto", "metal", "cuda", "vulkan", "false"] as const;

export const infoUsage = `Usage: npm run info -- [--json] [--gpu auto|metal|cuda|vulkan|false]

Prints this machine's context: CPU, cores, memory, OS, llama.cpp backend (Metal/CUDA/Vulkan/CPU),
GPU names, VRAM, node-llama-cpp and llama.cpp versions.

Options:
  --json        print the facts as JSON (the run file's "machine" object plus "details")
  --gpu VALUE   backend to load; default auto (the best one that works here)
  -h, --help    show this help`;

/** Parses `info`'s arguments; returns an error line for anything it does not know. */
export function parseInfoArgs(argv: string[]): InfoArgs | { error: string } {
    const args: InfoArgs = { json: false, gpu: "auto", help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const [flag, inlineValue] = arg.startsWith("--") && arg.includes("=")
            ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
            : [arg, undefined];
        if (flag === "--help" || flag === "-h") args.help = true;
        else if (flag === "--json") args.json = true;
        else if (flag === "--gpu") {
            const value = inlineValue ?? argv[++i];
            if (value === undefined) return { error: "Expected a value after `--gpu` (auto|metal|cuda|vulkan|false)" };
            if (!(gpuChoices as readonly string[]).includes(value))
                return { error: `Expected \`--gpu\` to be one of ${gpuChoices.join(", ")}, got \`${value}\`` };
            args.gpu = value === "false" ? false : value as GpuBackend;
        } else return { error: `Unknown argument \`${arg}\` for info; see \`npm run info -- --help\`` };
    }
    return args;
}

/** Runs `info`; returns the exit code. */
export async function infoCommand(argv: string[]): Promise<number> {
    const args = parseInfoArgs(argv);
    if ("error" in args) {
        process.stderr.write(`error: ${args.error}\n`);
        return exitCodes.invalidInput;
    }
    if (args.help) {
        process.stdout.write(infoUsage + "\n");
        return exitCodes.ok;
    }

    let machine: MachineReport;
    try {
        machine = await collectMachineInfo({ gpu: args.gpu });
    } catch (error) {
        const message = error instanceof NoBinaryFoundError
            ? "no prebuilt or local llama.cpp binary for it works on this machine"
            : (error instanceof Error ? error.message : String(error)).split("\n")[0];
        process.stderr.write(`error: could not load llama.cpp with gpu \`${String(args.gpu)}\`: ${message}\n`);
        return exitCodes.invalidInput;
    }

    if (args.json) process.stdout.write(JSON.stringify(machine, null, 2) + "\n");
    else {
        process.stdout.write(formatMachineBlock(machine) + "\n");
        for (const warning of machineWarnings(machine)) process.stderr.write(`warning: ${warning}\n`);
    }
    return exitCodes.ok;
}

/** The readable block: one `label  value` line per fact. Pure. */
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
        ["llama.cpp", machine.llamaCpp]
    ];
    const width = Math.max(...rows.map(([label]) => label.length)) + 2;
    return rows.map(([label, value]) => label.padEnd(width) + value).join("\n");
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
