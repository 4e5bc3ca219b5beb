/** gguf-bench's entry: picks a command, runs it, exits with its code. Each command lives in ./commands. */
import { exitCodes, InputError } from "../errors.ts";

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
    bench: async () => ({ run: (await import("./commands/bench.ts")).benchCommand }),
    info: async () => ({ run: (await import("./commands/info.ts")).infoCommand }),
    fidelity: async () => ({ run: (await import("./commands/fidelity.ts")).fidelityCommand }),
    db: async () => ({ run: (await import("./commands/db.ts")).dbCommand }),
    compare: async () => ({ run: (await import("./commands/compare.ts")).compareCommand })
};

const [name, ...argv] = process.argv.slice(2);
const load = name == null ? undefined : commands[name];
if (load == null) {
    console.error(`gguf-bench: unknown command \`${name ?? ""}\`; commands: ${Object.keys(commands).join(", ")}`);
    process.exit(exitCodes.invalidInput);
}
try {
    process.exitCode = await (await load()).run(argv);
} catch (error) {
    if (error instanceof InputError) {
        console.error(`gguf-bench: ${error.message}`);
        process.exitCode = error.exitCode;
    } else {
        console.error(error);
        process.exitCode = 1;
    }
}
