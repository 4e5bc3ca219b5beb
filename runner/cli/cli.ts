/** gguf-bench's entry: picks a command, runs it, exits with its code. Each command lives in ./commands. */
import { exitCodes, InputError } from "../errors.ts";
import { visible, visibleLines } from "../format/visible.ts";

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
    bench: async () => ({ run: (await import("./commands/bench.ts")).benchCommand }),
    info: async () => ({ run: (await import("./commands/info.ts")).infoCommand }),
    fidelity: async () => ({ run: (await import("./commands/fidelity.ts")).fidelityCommand })
};

const [name, ...argv] = process.argv.slice(2);
const load = name == null ? undefined : commands[name];
if (load == null) {
    console.error(`gguf-bench: unknown command \`${visible(name ?? "")}\`; commands: ${Object.keys(commands).join(", ")}`);
    process.exit(exitCodes.invalidInput);
}
try {
    process.exitCode = await (await load()).run(argv);
} catch (error) {
    if (error instanceof InputError) {
        console.error(`gguf-bench: ${visible(error.message)}`);
        process.exitCode = error.exitCode;
    } else {
        // not an input error: a bug or the machine's trouble, so the stack goes along (control characters made visible)
        console.error(`gguf-bench: ${visibleLines(error instanceof Error ? error.stack ?? error.message : String(error))}`);
        process.exitCode = 1;
    }
}
