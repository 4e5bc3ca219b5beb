/** gguf-bench's entry: runs the command named on the command line (see main.ts) and exits with its code. */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
