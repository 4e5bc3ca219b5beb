/**
 * `npm run report -- [--db PATH] [--results DIR] [--base PATH] [--out DIR]`: imports the run files into the database,
 * then builds the static site from it; `--preview` serves the built site.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitCodes, InputError } from "../../errors.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { nonEmpty, resultsDatabasePath, runFilesPath } from "../../paths.ts";
import { visible } from "../../format/visible.ts";
import { importRunFiles, runFilePaths } from "../../store/importRuns.ts";
import { printImport } from "../printImport.ts";
import { showFormattingCharacters } from "../visibleInSite.ts";
import { buildReportInto, checkReportOut, reportMarker, type ProtectedPlaces } from "../reportOutput.ts";
import { makeDirSync } from "../../makeDir.ts";

/** Arguments of `report`. */
export interface ReportArgs {
    /** The results database. Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
    /** Run files (a folder of them, or one file) imported into the database before the build. Defaults to `$GGUF_BENCH_RESULTS` or `results/runs`. */
    results: string;
    /** URL path the site is served under, such as `/gguf-bench/`. Defaults to `/`. */
    base: string;
    /** Folder the site is written to. Defaults to `report/dist`. */
    out: string;
    /** Serve the built site instead of building it. Defaults to `false`. */
    preview: boolean;
}

/** Names Vite reads from the environment into `import.meta.env`, over the site's own configuration. */
const viteEnvNames = ["BASE_URL", "MODE", "DEV", "PROD", "SSR", "SITE", "ASSETS_PREFIX"];

/** The Astro project. */
export const reportRoot = fileURLToPath(new URL("../../../report/", import.meta.url));

const usage = `usage: npm run report -- [--db PATH] [--results DIR] [--base /sub/path/] [--out DIR]
       npm run report:preview -- [--base /sub/path/] [--out DIR]

Imports the run files into the results database first (as \`npm run db -- import\` does: every file checked
before anything is written, runs already there left as they are), then builds the static report site (overview,
quant ladder, trade-off, scaling, runs, history, machines) from the database. So a fresh clone with committed run
files builds the same site as the machine that ran them. No results at all: a site that says how to run a suite.
Serve it from any static host; --base builds it for a sub-path, e.g. --base /gguf-bench/ for GitHub Pages.

options:
  --db PATH      results database (default: $GGUF_BENCH_DB or results/bench.db; made when missing)
  --results DIR  run files to import first (default: $GGUF_BENCH_RESULTS or results/runs; none there is fine)
  --base PATH    URL path the site lives under (default: /)
  --out DIR      where the site is written (default: report/dist): a new or empty folder, or one an earlier
                 report build wrote (it holds ${reportMarker}), which is replaced whole; any other folder, and the
                 results folder, the database's folder, the checkout and the folders above them, are refused
  --preview      serve the built site on localhost (what report:preview runs)
  -h, --help     this text

exit codes: 0 built · 2 invalid input (a bad run file named with the JSON path of the problem, or an --out that
is refused: nothing imported, nothing built)`;

export function parseReportArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ReportArgs | null {
    const { values, positionals } = parseCommandArgs("report", argv, {
        db: { type: "string" }, results: { type: "string" }, base: { type: "string" }, out: { type: "string" },
        preview: { type: "boolean" }, help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    if (positionals.length > 0) throw new InputError(`report: unexpected argument \`${visible(positionals[0]!)}\` (see --help)`);
    const base = values.base ?? "/";
    if (!/^\/([A-Za-z0-9._~-]+\/?)*$/.test(base) || /(^|\/)\.\.?(\/|$)/.test(base))
        throw new InputError(`report: --base: expected a URL path such as \`/gguf-bench/\`, got \`${visible(base)}\``);
    const results = path.resolve(values.results ?? runFilesPath(env));
    // a folder named on the command line must be there; the default (or bench's variable) may not exist yet
    if (values.results != null && !existsSync(results)) throw new InputError(`report: --results: no run file or folder at \`${visible(results)}\``);
    const explicitDb = values.db ?? nonEmpty(env.GGUF_BENCH_DB);
    const db = path.resolve(explicitDb ?? resultsDatabasePath(env));
    if (explicitDb != null && !values.preview && !existsSync(db) && runFiles(results).length === 0)
        throw new InputError(`report: --db: no database at \`${visible(db)}\`, and no run files in \`${visible(results)}\` to make one from`);
    return { db, results, base: base.endsWith("/") ? base : `${base}/`, out: path.resolve(values.out ?? path.join(reportRoot, "dist")), preview: values.preview ?? false };
}

/** The run files at `results` (a folder, or one file); none when it does not exist. */
function runFiles(results: string): string[] {
    return existsSync(results) ? runFilePaths([results]) : [];
}

export async function reportCommand(argv: string[]): Promise<number> {
    const args = parseReportArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    const places: ProtectedPlaces = { results: args.results, db: args.db, checkout: path.dirname(reportRoot), defaultOut: path.join(reportRoot, "dist") };
    // the output folder is checked before anything is imported or built: a folder the report did not build is never emptied
    if (!args.preview) checkReportOut(args.out, places);
    if (!args.preview) {
        // the run files are the record: bring them in first, in-process, with db import's checks and refusals (a bad
        // file throws an InputError here, before the database or the output folder is touched)
        const paths = runFiles(args.results);
        if (paths.length > 0) printImport(await importRunFiles(args.db, paths), `from ${path.relative(process.cwd(), args.results) || args.results} into ${path.relative(process.cwd(), args.db) || args.db}`);
    }
    // read by report/astro.config.mjs and report/src/data/site.ts; Astro's telemetry stays off
    process.env.GGUF_BENCH_REPORT_DB = args.db;
    process.env.GGUF_BENCH_REPORT_BASE = args.base;
    process.env.ASTRO_TELEMETRY_DISABLED = "1";
    // Vite fills import.meta.env from these when they are set (a test runner sets BASE_URL=/): the config decides
    for (const name of viteEnvNames) delete process.env[name];
    const invokedFrom = process.cwd();
    // Astro writes its temporary server bundle into the output folder when that lies under the working directory,
    // else into ./.astro/ there: working from .cache/report-build keeps it in the project's cache folder, where it
    // still resolves the project's packages, and out of the checkout's other folders
    const buildDir = path.join(path.dirname(reportRoot), ".cache", "report-build");
    makeDirSync(buildDir);
    process.chdir(buildDir);
    const shownOut = path.relative(invokedFrom, args.out) || args.out;
    const astro = await import("astro");
    if (args.preview) {
        if (!existsSync(path.join(args.out, "index.html"))) throw new InputError(`report: nothing built in \`${visible(args.out)}\`: run \`npm run report\` first`);
        process.env.GGUF_BENCH_REPORT_OUT = args.out;
        const server = await astro.preview({ root: reportRoot, logLevel: "info" });
        await server.closed();
        return exitCodes.ok;
    }
    const started = performance.now();
    // Astro empties its output folder before it writes: that folder is always a fresh one of the report's own
    await buildReportInto(args.out, places, async (fresh) => {
        process.env.GGUF_BENCH_REPORT_OUT = fresh;
        await astro.build({ root: reportRoot, logLevel: "warn" });
        showFormattingCharacters(fresh);
    });
    console.log(`report: built ${visible(shownOut)} from ${existsSync(args.db) ? visible(args.db) : "no database (an empty site)"} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return exitCodes.ok;
}
