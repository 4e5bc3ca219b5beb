/** `npm run bench -- [SUITE.yaml] [...]`: parse → plan → run → store → summarise. */
import path from "node:path";
import { exitCodes, InputError } from "../../errors.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { parseSuite } from "../../suite/parseSuite.ts";
import { planConfigs } from "../../plan/plan.ts";
import type { Config } from "../../plan/types.ts";
import type { Suite } from "../../suite/types.ts";
import type { RunRecord, Shard } from "../../results.ts";
import { parseShard, shardConfigs } from "../../plan/shard.ts";
import { openDatabase } from "../../store/db.ts";
import { Store } from "../../store/store.ts";
import { writeRunFile } from "../../store/runFile.ts";
import { runSuite, runExitCode } from "../../exec/runSuite.ts";
import { probeMachine } from "../../exec/probeMachine.ts";
import { gitInfo } from "../../exec/gitInfo.ts";
import { newRunId } from "../../exec/runId.ts";
import { modelSources } from "../modelSources.ts";
import { adhocSuite } from "../adhocSuite.ts";
import { printDryRun } from "../dryRun.ts";
import { ProgressLine } from "../progress.ts";
import { formatResultsTable } from "../resultsTable.ts";
import { warningLines } from "../warningLines.ts";
import { formatWorkAccount, workAccount } from "../../stats/measuredWork.ts";
import { formatMs } from "../../format/duration.ts";

/** Arguments of `bench`. */
export interface BenchArgs {
    /** Suite file. Defaults to `suites/default.yaml`. */
    suite?: string;
    /** SQLite database. Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
    /** Folder for run files. Defaults to `$GGUF_BENCH_RESULTS` or `results/runs`. */
    results: string;
    /** Print the plan with memory estimates; run nothing. Defaults to `false`. */
    dryRun: boolean;
    /** Only configs whose label or id contains this text (case-insensitive). */
    filter?: string;
    /** Override every config's repetitions. */
    repetitions?: number;
    /** Finish an earlier run: its id or `latest`. */
    resume?: string;
    /** Run only part K of N of the suite's configs (plan/shard.ts). Defaults to the whole suite. */
    shard?: Shard;
    /** Ad-hoc: a model path or OWNER/REPO/FILE.gguf, with `prompt`. */
    model?: string;
    prompt?: string;
    maxTokens?: number;
    threads?: number;
}

const usage = `usage: npm run bench -- [SUITE.yaml] [options]
       npm run bench -- --model PATH|OWNER/REPO/FILE.gguf --prompt "..." [--max-tokens N] [--threads N]

Runs every config of a suite (default: suites/default.yaml, offline) in its own child process, stores every
sample in SQLite and writes results/runs/<run-id>.json.

options:
  --db PATH            SQLite database (default: $GGUF_BENCH_DB or results/bench.db)
  --results DIR        folder for run files (default: $GGUF_BENCH_RESULTS or results/runs)
  --dry-run            print the plan with model sizes and memory estimates; run nothing
  --filter TEXT        only configs whose label or id contains TEXT
  --repetitions N      measured repetitions for every config
  --resume RUN_ID      run only the configs missing from an earlier run (or: latest)
  --shard K/N          run part K of N of the configs (deterministic, balanced by model size and work), for
                       one machine or CI job of many; run files of all parts land side by side
  --model, --prompt    one ad-hoc run that streams the answer, then prints its metrics
  -h, --help           this text

exit codes: 0 all ok · 1 some configs failed, crashed or timed out · 2 invalid input (nothing ran) · 130 interrupted`;

export async function benchCommand(argv: string[]): Promise<number> {
    const invokedAt = Date.now();
    const args = parseBenchArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    const adhoc = args.model != null;
    const sources = modelSources();

    // Everything that can be wrong with the input is found here, before the database is opened.
    let resumeOf: { run: RunRecord; done: Set<string> } | undefined;
    let suitePath = args.suite ?? "suites/default.yaml";
    if (args.resume != null) {
        const found = readRun(args.db, args.resume);
        resumeOf = found;
        suitePath = args.suite ?? found.run.suite.path;
    }
    const suite: Suite = adhoc
        ? adhocSuite(args.model!, args.prompt ?? "", {
            ...(args.maxTokens != null ? { maxTokens: args.maxTokens } : {}),
            ...(args.threads != null ? { threads: args.threads } : {})
        })
        : await parseSuite(path.resolve(suitePath));
    if (resumeOf != null && resumeOf.run.suite.sha256 !== suite.sha256)
        throw new InputError(`--resume ${resumeOf.run.id}: ${suitePath} changed since that run started (sha256 differs); start a new run instead`);
    const shard = resumeOf?.run.shard ?? args.shard ?? null;
    if (resumeOf != null && args.shard != null && JSON.stringify(args.shard) !== JSON.stringify(resumeOf.run.shard))
        throw new InputError(`--shard ${args.shard.index}/${args.shard.count}: run ${resumeOf.run.id} ran ${resumeOf.run.shard == null ? "the whole suite" : `shard ${resumeOf.run.shard.index}/${resumeOf.run.shard.count}`}; resume it without --shard`);
    const all = planConfigs(suite, { ...(args.filter != null ? { filter: args.filter } : {}), ...(args.repetitions != null ? { repetitions: args.repetitions } : {}) });
    const planned = shard == null ? all : shardConfigs(all, shard);
    await sources.checkAll(planned.map((config) => config.model));

    if (args.dryRun) {
        await printDryRun(planned, sources);
        return exitCodes.ok;
    }
    if (planned.length === 0) {
        console.error(`shard ${shard!.index}/${shard!.count} holds none of the ${all.length} config(s) of ${suite.name}: nothing to run or record`);
        return exitCodes.ok;
    }

    const configs: Config[] = resumeOf == null ? planned : planned.filter((config) => !resumeOf!.done.has(config.id));
    // the machine probe (about 1 s) runs beside the first child's start; that child measures only after it is done
    const machine = probeMachine(suite.defaults.gpu);
    const store = new Store(openDatabase(args.db));
    const progress = new ProgressLine();
    try {
        const started = new Date().toISOString();
        const runReady: Promise<RunRecord> = machine.then((facts) => {
            const run: RunRecord = resumeOf?.run ?? {
                id: newRunId(suite.name, new Date(), shard),
                suite: { name: suite.name, path: displayPath(suite.path), sha256: suite.sha256 },
                startedAt: started,
                finishedAt: null,
                status: "running",
                git: gitInfo(process.cwd()),
                machine: facts,
                shard
            };
            if (resumeOf == null) store.createRun(run);
            progress.clear();
            const part = shard == null ? "" : ` of shard ${shard.index}/${shard.count} (${all.length} in the suite)`;
            console.error(`run ${run.id}: ${configs.length} config(s)${resumeOf != null ? ` missing of ${planned.length}` : ""}${part} · ${facts.cpu} · ${facts.backend}`);
            return run;
        });
        runReady.catch(() => undefined); // raised below, after runSuite
        const controller = new AbortController();
        const onSigint = () => {
            if (controller.signal.aborted) process.exit(exitCodes.interrupted);
            console.error("\ninterrupted: saving what is done (Ctrl-C again to quit now)");
            controller.abort();
        };
        process.on("SIGINT", onSigint);
        const { interrupted } = await runSuite({
            run: runReady,
            configs,
            store,
            resolveModel: sources.resolve,
            prefetchModel: sources.prefetch,
            signal: controller.signal,
            echo: adhoc,
            hooks: {
                onConfigStart: (config, index, total) => (adhoc ? undefined : progress.configStart(config, index, total)),
                onProgress: (_, p) => (adhoc ? undefined : progress.progress(p)),
                onDownload: (_, done, total) => progress.download(done, total),
                onText: (text) => process.stdout.write(text),
                onConfigDone: (record) => (adhoc ? process.stdout.write("\n") : progress.configDone(record))
            }
        }).finally(() => process.off("SIGINT", onSigint));
        const run = await runReady;

        const statuses = [...store.configStatuses(run.id).values()];
        const status = interrupted ? "interrupted" : "completed";
        store.finishRun(run.id, status, new Date().toISOString());
        const saved = store.getRun(run.id)!;
        const runFile = adhoc ? null : await writeRunFile(args.results, saved.run, saved.configs, { baseDir: process.cwd() });

        console.log(formatResultsTable(saved.configs));
        const wallMs = Date.now() - invokedAt;
        const account = workAccount(saved.configs.filter((record) => configs.some((config) => config.id === record.id)));
        console.error(formatWorkAccount(wallMs, account, formatMs));
        for (const line of warningLines(saved.configs)) console.error(`warning: ${line}`);
        console.error(`saved run ${run.id} in ${args.db}${runFile != null ? ` and ${displayPath(runFile)}` : ""}`);
        if (interrupted) {
            console.error(`resume with: npm run bench -- --resume ${run.id}`);
            return exitCodes.interrupted;
        }
        return runExitCode(statuses);
    } finally {
        store.close();
    }
}

function parseBenchArgs(argv: string[]): BenchArgs | null {
    const { values, positionals } = parseCommandArgs("bench", argv, {
        db: { type: "string" }, results: { type: "string" }, "dry-run": { type: "boolean" }, filter: { type: "string" },
        repetitions: { type: "string" }, resume: { type: "string" }, shard: { type: "string" }, model: { type: "string" }, prompt: { type: "string" },
        "max-tokens": { type: "string" }, threads: { type: "string" }, help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    if (positionals.length > 1) throw new InputError(`bench: expected at most one suite file, got ${positionals.join(" ")}`);
    if ((values.model == null) !== (values.prompt == null)) throw new InputError("bench: --model and --prompt go together");
    if (values.model != null && positionals.length > 0) throw new InputError("bench: give either a suite file or --model/--prompt, not both");
    if (values.model != null && values.shard != null) throw new InputError("bench: --shard splits a suite; an ad-hoc --model run has one config");
    return {
        ...(positionals[0] != null ? { suite: positionals[0] } : {}),
        db: values.db ?? process.env.GGUF_BENCH_DB ?? "results/bench.db",
        results: values.results ?? process.env.GGUF_BENCH_RESULTS ?? "results/runs",
        dryRun: values["dry-run"] ?? false,
        ...(values.filter != null ? { filter: values.filter } : {}),
        ...(values.repetitions != null ? { repetitions: positiveInt("--repetitions", values.repetitions) } : {}),
        ...(values.resume != null ? { resume: values.resume } : {}),
        ...(values.shard != null ? { shard: parseShard(values.shard) } : {}),
        ...(values.model != null ? { model: values.model } : {}),
        ...(values.prompt != null ? { prompt: values.prompt } : {}),
        ...(values["max-tokens"] != null ? { maxTokens: positiveInt("--max-tokens", values["max-tokens"]) } : {}),
        ...(values.threads != null ? { threads: positiveInt("--threads", values.threads) } : {})
    };
}

function positiveInt(flag: string, text: string): number {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new InputError(`${flag}: expected an integer >= 1, got \`${text}\``);
    return value;
}

/** The run to resume and the ids it already has; read-only, so a bad --resume leaves the database untouched. */
function readRun(db: string, id: string): { run: RunRecord; done: Set<string> } {
    let store: Store;
    try {
        store = new Store(openDatabase(db, { readonly: true }));
    } catch {
        throw new InputError(`--resume ${id}: no database at ${db}`);
    }
    try {
        const found = store.getRun(id);
        if (found == null) throw new InputError(`--resume: no run \`${id}\` in ${db}`);
        return { run: found.run, done: new Set(found.configs.map((config) => config.id)) };
    } finally {
        store.close();
    }
}

function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
