/**
 * One side of a comparison from what the user typed: `latest`, a run file or a folder of them, a run id (in the
 * database, else `<results>/<id>.json`), a git ref (every run file committed there), or `REF:RUN_ID`.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { parseRunFile, readRunFile } from "../store/readRunFile.ts";
import { runFilePaths } from "../store/importRuns.ts";
import { toRunFile, type RunFile } from "../store/runFile.ts";
import { latestRunAlias } from "../store/store.ts";
import { withReadOnlyStore } from "../store/withStore.ts";
import { shardSet } from "../store/shardSet.ts";
import { gitRunFiles, resolveCommit } from "./gitRunFiles.ts";

export interface Side {
    /** What was asked, e.g. `HEAD~1`, `latest`, `results/runs/x.json`. */
    spec: string;
    /** How it was read, e.g. `3 run file(s) at HEAD~1 (a1b2c3d)`; raw text (escape it for a terminal or HTML). */
    description: string;
    /** Its runs, oldest first; which of them a comparison sets side by side is chooseRuns.ts's. */
    runs: RunFile[];
}

export interface SideOptions {
    /** SQLite database for run ids and `latest`. Defaults to `results/bench.db`. */
    db: string;
    /** Folder of run files, in the working tree and at git refs. Defaults to `results/runs`. */
    results: string;
    /** Repository folder for git refs. Defaults to `process.cwd()`. */
    cwd?: string;
}

const runIdPattern = /^\d{8}-\d{6}-[a-z0-9-]+$/;

export async function resolveSide(spec: string, opts: SideOptions): Promise<Side> {
    const cwd = opts.cwd ?? process.cwd();
    const shown = visible(spec);
    if (spec === "") throw new InputError("compare: expected a run id, `latest`, a run file or a git ref, got an empty argument");
    if (spec === latestRunAlias) return latestSide(opts.db);

    if (existsSync(spec)) {
        const paths = runFilePaths([spec]);
        if (paths.length === 0) throw new InputError(`${shown}: no run files in this folder`);
        const runs = await Promise.all(paths.map(async (file) => (await readRunFile(file)).file));
        const kind = statSync(spec).isDirectory() ? `${runs.length} run file(s) in ${spec}` : spec;
        return { spec, description: kind, runs: byStart(runs) };
    }

    const colon = spec.lastIndexOf(":");
    if (colon > 0) {
        const ref = spec.slice(0, colon);
        const id = spec.slice(colon + 1);
        const commit = resolveCommit(cwd, ref);
        if (commit != null) {
            const run = readGit(cwd, commit, ref, opts.results).find((file) => file.run.id === id);
            if (run == null) throw new InputError(`${shown}: no run \`${visible(id)}\` among the run files in ${visible(opts.results)} at ${visible(ref)}`);
            return { spec, description: `run ${id} at ${ref} (${commit.slice(0, 7)})`, runs: [run] };
        }
    }

    if (runIdPattern.test(spec)) {
        const fromDb = existsSync(opts.db) ? withReadOnlyStore(opts.db, (store) => store.getRun(spec)) : null;
        if (fromDb != null) return { spec, description: `run ${spec} (database)`, runs: [toRunFile(fromDb.run, fromDb.configs)] };
        const file = path.join(opts.results, `${spec}.json`);
        if (existsSync(file)) return { spec, description: `run ${spec} (${file})`, runs: [(await readRunFile(file)).file] };
    }

    const commit = resolveCommit(cwd, spec);
    if (commit != null) {
        const runs = readGit(cwd, commit, spec, opts.results);
        if (runs.length === 0) throw new InputError(`${shown}: no run files in ${visible(opts.results)} at that commit (${commit.slice(0, 7)}): commit some first`);
        return { spec, description: `${runs.length} run file(s) at ${spec} (${commit.slice(0, 7)})`, runs: byStart(runs) };
    }
    throw new InputError(`compare: \`${shown}\` is not a run id in ${visible(opts.db)}, \`latest\`, a run file or folder, a git ref, or REF:RUN_ID`);
}

/** The newest run in the database, with the newest run of each other shard of it (see `shardSet`). */
function latestSide(db: string): Side {
    if (!existsSync(db)) throw new InputError(`latest: no database at ${visible(db)}: run \`npm run bench\`, or \`npm run db -- import\` run files`);
    return withReadOnlyStore(db, (store) => {
        const all = store.runs();
        if (all.length === 0) throw new InputError(`latest: ${visible(db)} holds no run yet`);
        const runs = shardSet(all[0]!, all).map((run) => {
            const { configs } = store.getRun(run.id)!;
            return toRunFile(run, configs);
        });
        const shards = runs.length > 1 ? ` with ${runs.length - 1} other shard(s) of it` : "";
        return { spec: latestRunAlias, description: `latest run ${all[0]!.id}${shards} (database)`, runs: byStart(runs) };
    });
}

function readGit(cwd: string, commit: string, ref: string, results: string): RunFile[] {
    let files;
    try {
        files = gitRunFiles(cwd, commit, ref, results);
    } catch (error) {
        throw new InputError(`${visible(ref)}: cannot read the run files through git: ${visible((error as Error).message)}`);
    }
    return files.map((file) => parseRunFile(file.text, file.source).file);
}

function byStart(runs: RunFile[]): RunFile[] {
    return [...runs].sort((a, b) => (a.run.startedAt < b.run.startedAt ? -1 : a.run.startedAt > b.run.startedAt ? 1 : 0));
}
