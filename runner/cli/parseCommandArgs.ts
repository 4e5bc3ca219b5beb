/** node:util's parseArgs for one command, with its errors turned into one-line input errors (exit 2). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../errors.ts";

export function parseCommandArgs<const Options extends NonNullable<ParseArgsConfig["options"]>>(command: string, argv: string[], options: Options) {
    try {
        return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
    } catch (error) {
        throw new InputError(`${command}: ${(error as Error).message.split("\n")[0]} (see --help)`);
    }
}
