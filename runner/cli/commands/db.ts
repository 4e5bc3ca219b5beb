/**
 * `npm run db -- import [FILE|DIR ...]` / `rebuild [FILE|DIR ...]`: the database as a cache of the run files;
 * `npm run db -- show [RUN]`: a run in any output format.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { exitCodes, InputError } from "../../errors.ts";
import { visible } from "../../format/visible.ts";
import { applyImport, importRunFiles, planImport, runFilePaths } from "../../store/importRuns.ts";
import { withStore } from "../../store/withStore.ts";
import { printImport } from "../printImport.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { resultsDatabasePath, runFilesPath } from "../../paths.ts";
import { resolveSide } from "../../compare/resolveSide.ts";
import { parseFormat, type Format } from "../../format/serializer.ts";
import { latestRunAlias } from "../../store/store.ts";
import { runSerializers } from "../runSerializers.ts";

/** Arguments of `db`. */
export interface DbArgs {
    /** What to do. Required. */
    action: "import" | "rebuild" | "show";
    /** Run files or folders of them (show: one run as compare takes a side). Defaults to `$GGUF_BENCH_RESULTS` or `results/runs` (show: `latest`). */
    inputs: string[];
    /** show: the output format. Defaults to `"text"`. */
    format: Format;
    /** SQLite database. Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
}

const usage = `usage: npm run db -- import [FILE|DIR ...] [--db PATH]
       npm run db -- rebuild [FILE|DIR ...] [--db PATH]
       npm run db -- show [RUN] [--format text|md|json] [--db PATH]

The run files (results/runs/*.json) are the record; the database is a cache of them.
  import    adds the runs of the given run files or folders (default: $GGUF_BENCH_RESULTS or results/runs).
            A run already in the database with the same content is left as it is; the same run id with
            other content is refused, naming both sources.
  rebuild   makes a fresh database from the run files and puts it in place of the old one. Runs that have no
            run file (ad-hoc --model runs) are not in the new one.
  show      prints a run (default: latest; also a run id, a run file, a git ref or REF:RUN_ID, as compare takes
            them) as the results table (text), markdown (md) or its run file (json).
Every file is read and checked before anything is written: one bad file and nothing changes (exit 2).

options:
  --db PATH       SQLite database (default: $GGUF_BENCH_DB or results/bench.db)
  --format FMT    show: text (default), md or json
  -h, --help      this text

exit codes: 0 done · 2 invalid input (a file named with the JSON path of the problem; the database untouched)`;

export async function dbCommand(argv: string[]): Promise<number> {
    const args = parseDbArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    if (args.action === "show") {
        const side = await resolveSide(args.inputs[0] ?? latestRunAlias, { db: args.db, results: runFilesPath() });
        process.stdout.write(side.runs.map((run) => runSerializers[args.format](run)).join("\n"));
        return exitCodes.ok;
    }
    const paths = runFilePaths(args.inputs);
    return args.action === "import" ? importInto(args.db, paths) : rebuild(args.db, paths, args.inputs);
}

async function importInto(db: string, paths: string[]): Promise<number> {
    printImport(await importRunFiles(db, paths), `into ${db}`);
    return exitCodes.ok;
}

async function rebuild(db: string, paths: string[], inputs: string[]): Promise<number> {
    if (existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0)
        throw new InputError(`${db}: in use (its write-ahead log is not empty): end the other gguf-bench process, then rebuild`);
    const temp = path.join(path.dirname(db), `.${path.basename(db)}.rebuild-${process.pid}`);
    try {
        const plan = await withStore(temp, async (store) => {
            const plan = await planImport(paths, store);
            applyImport(store, plan);
            store.db.pragma("journal_mode = DELETE"); // no write-ahead log left beside the file that is renamed
            return plan;
        });
        const before = existsSync(db) ? await withStore(db, (store) => store.runIds()).catch(() => []) : [];
        renameSync(temp, db);
        for (const suffix of ["-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
        const kept = new Set(plan.add.map((read) => read.file.run.id));
        const gone = before.filter((id) => !kept.has(id));
        printImport(plan, `into a fresh ${db} from ${inputs.join(", ")}`);
        if (gone.length > 0) console.error(`${gone.length} run(s) of the old database had no run file and are not in the new one: ${gone.slice(0, 5).map(visible).join(", ")}${gone.length > 5 ? ", …" : ""}`);
        return exitCodes.ok;
    } finally {
        for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${temp}${suffix}`, { force: true });
    }
}

function parseDbArgs(argv: string[]): DbArgs | null {
    const { values, positionals } = parseCommandArgs("db", argv, { db: { type: "string" }, format: { type: "string" }, help: { type: "boolean", short: "h" } });
    if (values.help) return null;
    const [action, ...inputs] = positionals;
    if (action !== "import" && action !== "rebuild" && action !== "show")
        throw new InputError(`db: expected \`import\`, \`rebuild\` or \`show\`, got ${action == null ? "nothing" : `\`${visible(action)}\``} (see --help)`);
    if (action === "show" && inputs.length > 1) throw new InputError(`db show: expected one run, got ${inputs.length}`);
    if (action !== "show" && values.format != null) throw new InputError(`db ${action}: --format is for show`);
    return {
        action,
        format: values.format == null ? "text" : parseFormat("--format", values.format),
        inputs: inputs.length > 0 || action === "show" ? inputs : [runFilesPath()],
        db: values.db ?? resultsDatabasePath()
    };
}
