/** Entry of the machine-probe child: `info --json` alone, bundled and run with plain node by probeMachine.ts. */
import { infoCommand } from "../cli/commands/info.ts";

process.exitCode = await infoCommand(process.argv.slice(2));
