/**
 * The run lifecycle as a use case, for `bench` and any command that measures: probe the machine beside the first
 * child's start, create the run (or take the resumed one), run the configs with Ctrl-C saving what is done, finish
 * the run, read it back and write its run file. The caller parses its arguments and prints; this prints nothing.
 */
import path from "node:path";
import { exitCodes } from "../errors.ts";
import { gitInfo } from "../exec/gitInfo.ts";
import { probeMachine } from "../exec/probeMachine.ts";
import { newRunId } from "../exec/runId.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { Config, ModelRef } from "../plan/types.ts";
import type { ConfigRecord, ConfigStatus, MachineInfo, RunRecord, Shard } from "../results.ts";
import { openDatabase } from "../store/db.ts";
import { Store } from "../store/store.ts";
import { writeRunFile } from "../store/writeRunFile.ts";
import type { Suite } from "../suite/types.ts";
import { runSuite, type RunSuiteOptions } from "./runSuite.ts";

export interface RunBenchOptions {
    suite: Suite;
    /** The configs to run now (on a resume: only the missing ones). */
    configs: Config[];
    /** The part of the suite this run measures. Defaults to the whole suite (`null`). */
    shard: Shard | null;
    /** The run to finish (`--resume`); it is not created again. Defaults to a new run. */
    resume?: RunRecord;
    /** SQLite database. */
    db: string;
    /** Folder the run file is written to; null writes none (an ad-hoc run). */
    results: string | null;
    /** Download or write (if needed) and describe a model; `signal` is the run's Ctrl-C. */
    resolveModel(ref: ModelRef, onProgress: Parameters<RunSuiteOptions["resolveModel"]>[1], signal: AbortSignal): Promise<ResolvedModel>;
    /** Fetch a model's bytes ahead of time (network only). Defaults to none. */
    prefetchModel?(ref: ModelRef, onProgress: Parameters<NonNullable<RunSuiteOptions["prefetchModel"]>>[1], signal: AbortSignal): Promise<void>;
    /** Echo the answer as it streams. Defaults to `false`. */
    echo?: boolean;
    hooks?: RunSuiteOptions["hooks"];
    /** Called once the machine is probed and the run exists, before the first config measures. */
    onRunReady?(run: RunRecord, machine: MachineInfo): void;
    /** Called on the first Ctrl-C (saving what is done); a second one exits at once. */
    onInterrupt?(): void;
    /** Options passed to every child (tests inject a fake child here). */
    childOptions?: RunSuiteOptions["childOptions"];
}

export interface RunBenchResult {
    run: RunRecord;
    /** The run and every config of it, read back from the database (a resume's earlier configs too). */
    saved: { run: RunRecord; configs: ConfigRecord[] };
    /** Status of each config saved for the run. */
    statuses: ConfigStatus[];
    interrupted: boolean;
    /** The run file written, or null (none asked for, or it could not be written: `runFileError` says why). */
    runFile: string | null;
    runFileError: string | null;
}

/** Runs the configs as one run and records it: database first, then the run file. */
export async function runBench(options: RunBenchOptions): Promise<RunBenchResult> {
    const { suite, configs, shard, resume } = options;
    const store = new Store(openDatabase(options.db));
    try {
        const started = new Date().toISOString();
        // the machine probe (about 1 s) runs beside the first child's start; that child measures only after it is
        // done. Its failure is handled on this very chain (raised below, after runSuite), never left unobserved.
        const runReady: Promise<RunRecord> = probeMachine(suite.defaults.gpu).then((facts) => {
            const run: RunRecord = resume ?? {
                id: newRunId(suite.name, new Date(), shard),
                suite: { name: suite.name, path: displayPath(suite.path), sha256: suite.sha256 },
                startedAt: started,
                finishedAt: null,
                status: "running",
                git: gitInfo(process.cwd()),
                machine: facts,
                shard
            };
            if (resume == null) store.createRun(run);
            options.onRunReady?.(run, facts);
            return run;
        });
        runReady.catch(() => undefined);
        const controller = new AbortController();
        const onSigint = () => {
            if (controller.signal.aborted) process.exit(exitCodes.interrupted);
            options.onInterrupt?.();
            controller.abort();
        };
        process.on("SIGINT", onSigint);
        const { interrupted } = await runSuite({
            run: runReady,
            configs,
            store,
            resolveModel: (ref, onProgress) => options.resolveModel(ref, onProgress, controller.signal),
            ...(options.prefetchModel != null ? { prefetchModel: (ref, onProgress) => options.prefetchModel!(ref, onProgress, controller.signal) } : {}),
            signal: controller.signal,
            echo: options.echo ?? false,
            ...(options.hooks != null ? { hooks: options.hooks } : {}),
            ...(options.childOptions != null ? { childOptions: options.childOptions } : {})
        }).finally(() => process.off("SIGINT", onSigint));
        const run = await runReady;

        const statuses = [...store.configStatuses(run.id).values()];
        store.finishRun(run.id, interrupted ? "interrupted" : "completed", new Date().toISOString());
        const saved = store.getRun(run.id)!;
        let runFile: string | null = null;
        let runFileError: string | null = null;
        const results = options.results;
        if (results != null) {
            // checked writable before the run; should it fail now anyway, the run is safe in the database
            runFile = await writeRunFile(results, saved.run, saved.configs, { baseDir: process.cwd() }).catch((error: unknown) => {
                runFileError = `could not write the run file in ${results}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
                return null;
            });
        }
        return { run, saved, statuses, interrupted, runFile, runFileError };
    } finally {
        store.close();
    }
}

/** `file` relative to the working directory when it is inside it, else as given. */
export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
