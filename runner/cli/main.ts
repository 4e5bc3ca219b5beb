/** Picks a command, runs it, and turns its outcome into an exit code; each command lives in ./commands. */
import { exitCodes, InputError } from "../errors.ts";
import { visible, visibleLines } from "../format/visible.ts";

const commands: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
    bench: async () => (await import("./commands/bench.ts")).benchCommand,
    info: async () => (await import("./commands/info.ts")).infoCommand,
    fidelity: async () => (await import("./commands/fidelity.ts")).fidelityCommand,
    db: async () => (await import("./commands/db.ts")).dbCommand,
    compare: async () => (await import("./commands/compare.ts")).compareCommand,
    report: async () => (await import("./commands/report.ts")).reportCommand
};

/** `argv` without node and the script; error lines go to `printError`. Returns the exit code. */
export async function main(argv: readonly string[], printError: (line: string) => void = (line) => console.error(line)): Promise<number> {
    const [name, ...rest] = argv;
    const load = name == null || !Object.hasOwn(commands, name) ? undefined : commands[name];
    if (load == null) {
        printError(`gguf-bench: unknown command \`${visible(name ?? "")}\`; commands: ${Object.keys(commands).join(", ")}`);
        return exitCodes.invalidInput;
    }
    try {
        return await (await load())(rest);
    } catch (error) {
        if (error instanceof InputError) {
            printError(`gguf-bench: ${visible(error.message)}`);
            return error.exitCode;
        }
        // not an input error: a bug or the machine's trouble, so the stack goes along (control characters made visible)
        printError(`gguf-bench: ${visibleLines(error instanceof Error ? error.stack ?? error.message : String(error))}`);
        return 1;
    }
}
