/**
 * Entry of the machine-probe child: `info --json` alone, bundled and run with plain node by probeMachine.ts. Bad
 * input (a backend or engine that cannot load) ends as its one line on stderr and exit 2, for the parent to show.
 */
import { infoCommand } from "../cli/commands/info.ts";
import { InputError } from "../errors.ts";

try {
    process.exitCode = await infoCommand(process.argv.slice(2));
} catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
}
