/** `bench --discover [DIR...] [--write-suite PATH]`: list the GGUF files already on this machine by base model, and write a suite for them. */
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { exitCodes, InputError } from "../errors.ts";
import { formatBytes } from "../format/bytes.ts";
import { renderTable } from "../format/table.ts";
import { visible } from "../format/visible.ts";
import { discover, discoveredSuite } from "../discover/discover.ts";
import { defaultLocations, givenLocation, kindNames } from "../discover/locations.ts";
import { parseCommandArgs } from "./parseCommandArgs.ts";

export interface DiscoverOptions {
    /** Folders to search besides the default locations. Defaults to none. */
    dirs: readonly string[];
    /** Write a suite benching every model found here. Defaults to none. */
    writeSuite: string | null;
    /** Home folder the default locations are under. Defaults to `os.homedir()`. */
    home?: string;
    /** Environment the default locations read. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
    /** Ollama's system store(s). Defaults to the Linux service's. */
    systemOllama?: readonly string[];
}

export async function discoverModels(opts: DiscoverOptions): Promise<number> {
    const locations = [
        ...defaultLocations(opts.home ?? homedir(), opts.env ?? process.env, opts.systemOllama),
        ...opts.dirs.map(givenLocation)
    ];
    const found = await discover(locations);
    const rows = [["model", "quant", "size", "source", "file"]];
    for (const family of found.families)
        for (const model of family.models)
            rows.push([family.title, model.quant, formatBytes(model.sizeBytes), `${kindNames[model.file.kind]}${model.file.name != null ? ` (${model.file.name})` : ""}`, model.file.path]);
    if (found.families.length > 0) console.log(renderTable(rows, 2));
    for (const note of found.notes) console.error(`note: ${visible(note)}`);
    const count = found.families.reduce((n, f) => n + f.models.length, 0);
    console.error(`found ${count} model file(s) of ${found.families.length} base model(s) in ${locations.length} location(s) (nothing there was changed)`);
    if (opts.writeSuite != null) {
        if (count === 0) throw new InputError(`--write-suite ${visible(opts.writeSuite)}: no model found to write a suite for`);
        try {
            // never over another file: `wx` fails when the path exists
            await writeFile(opts.writeSuite, discoveredSuite(found), { encoding: "utf8", flag: "wx" });
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            throw new InputError(`--write-suite ${visible(opts.writeSuite)}: ${code === "EEXIST" ? "the file exists; name a new one" : code ?? (error as Error).message}`);
        }
        console.error(`wrote ${visible(opts.writeSuite)}: run it with \`npm run bench -- ${visible(opts.writeSuite)}\`, then \`npm run recommend\``);
    }
    return exitCodes.ok;
}

/** `bench --discover [DIR...] [--write-suite PATH]` from the command line. */
export async function discoverCommand(argv: string[]): Promise<number> {
    const { values, positionals } = parseCommandArgs("bench --discover", argv, { discover: { type: "boolean" }, "write-suite": { type: "string" } });
    if (values["write-suite"] === "") throw new InputError("--write-suite: expected a file name, got an empty one");
    return discoverModels({ dirs: positionals, writeSuite: values["write-suite"] ?? null });
}
