/** `npm run bench -- [SUITE.yaml] [...]`: parse → plan → run → store → summarise. */
import path from "node:path";
import { exitCodes, InputError } from "../../errors.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { parseSuite } from "../../suite/parseSuite.ts";
import { planConfigs } from "../../plan/plan.ts";
import type { Config } from "../../plan/types.ts";
import type { Suite, Threads } from "../../suite/types.ts";
import type { Shard } from "../../results.ts";
import { checkShardCount, parseShard, shardConfigs } from "../../run/shard.ts";
import { benchCacheDir, hubCacheDir, hubEndpoint, hubToken, resultsDatabasePath, runFilesPath } from "../../paths.ts";
import { runExitCode } from "../../run/runSuite.ts";
import { displayPath, runBench } from "../../run/runBench.ts";
import { modelSources } from "../modelSources.ts";
import { checkQualityModels } from "../../models/checkQualityModels.ts";
import { probeEngine } from "../../exec/probeMachine.ts";
import { checkEngines } from "../../engine/checkEngines.ts";
import { adhocSuite } from "../adhocSuite.ts";
import { printDryRun } from "../dryRun.ts";
import { ProgressLine } from "../progress.ts";
import { formatResultsTable } from "../resultsTable.ts";
import { formatQualityTable } from "../qualityTable.ts";
import { formatServingTable } from "../servingTable.ts";
import { formatBytes } from "../../format/bytes.ts";
import { visible } from "../../format/visible.ts";
import { warningLines } from "../warningLines.ts";
import { syntheticNote } from "../syntheticNote.ts";
import { formatWorkAccount, workAccount } from "../../stats/measuredWork.ts";
import { formatMs } from "../../format/duration.ts";
import { terminalHooks } from "../terminalHooks.ts";
import { checkOutputs } from "../checkOutputs.ts";
import { readResumedRun, type ResumedRun } from "../resumeRun.ts";
import { settingFlag } from "../settingFlag.ts";

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
    /** Run only part K of N of the suite's configs (run/shard.ts). Defaults to the whole suite. */
    shard?: Shard;
    /** Ad-hoc: a model path or OWNER/REPO/FILE.gguf (`like:` before it: a synthetic clone of it), with `prompt`. */
    model?: string;
    /** Ad-hoc clone: the file type to re-type it to, as llama-quantize names it. Defaults to every tensor keeping its type. */
    quant?: string;
    prompt?: string;
    maxTokens?: number;
    threads?: Threads;
}

const usage = `usage: npm run bench -- [SUITE.yaml] [options]
       npm run bench -- --model PATH|OWNER/REPO/FILE.gguf --prompt "..." [--max-tokens N] [--threads N]
       npm run bench -- --model like:PATH|like:OWNER/REPO/FILE.gguf [--quant Q4_K_M] --prompt "..."
       npm run bench -- --discover [DIR...] [--write-suite PATH]

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
  --model like:…       the same on a synthetic clone of that GGUF (its header only; random weights, gibberish
                       text, real speed and memory); --quant re-types it as llama-quantize would
  --discover [DIR...]  list the GGUF files already here (Hugging Face cache, LM Studio, llama.cpp, Ollama, each
                       DIR) by base model, read-only; --write-suite PATH writes a suite that benches them all
  -h, --help           this text

exit codes: 0 every config ran (or was skipped as too big beside others that ran) · 1 some configs failed,
crashed or timed out, or none ran · 2 invalid input (nothing ran, nothing stored) · 130 interrupted`;

export async function benchCommand(argv: string[]): Promise<number> {
    const invokedAt = Date.now();
    if (argv.includes("--discover")) return (await import("../discoverModels.ts")).discoverCommand(argv);
    const args = parseBenchArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    const adhoc = args.model != null;
    // a dry run writes nothing, not even a Hub header into the cache
    const sources = modelSources(args.dryRun ? { readOnly: true } : {});

    // Everything that can be wrong with the input is found here, before the database is opened.
    let resumeOf: ResumedRun | undefined;
    let suitePath = args.suite ?? "suites/default.yaml";
    if (args.resume != null) {
        resumeOf = readResumedRun(args.db, args.resume);
        suitePath = args.suite ?? resumeOf.run.suite.path;
    }
    const suite: Suite = adhoc
        ? adhocSuite(args.model!, args.prompt ?? "", {
            ...(args.maxTokens != null ? { maxTokens: args.maxTokens } : {}),
            ...(args.threads != null ? { threads: args.threads } : {})
        }, args.quant)
        : await parseSuite(path.resolve(suitePath));
    if (resumeOf != null && resumeOf.run.suite.sha256 !== suite.sha256)
        throw new InputError(`--resume ${resumeOf.run.id}: ${suitePath} changed since that run started (sha256 differs); start a new run instead`);
    const usesHub = suite.models.some((model) => model.source === "hf" || (model.source === "synthetic" && "like" in model && "repo" in model.like));
    // a malformed HF_ENDPOINT or token is bad input, not a failed config
    if (usesHub) {
        hubEndpoint();
        hubToken();
    }
    const shard = resumeOf?.run.shard ?? args.shard ?? null;
    if (resumeOf != null && args.shard != null && JSON.stringify(args.shard) !== JSON.stringify(resumeOf.run.shard))
        throw new InputError(`--shard ${args.shard.index}/${args.shard.count}: run ${resumeOf.run.id} ran ${resumeOf.run.shard == null ? "the whole suite" : `shard ${resumeOf.run.shard.index}/${resumeOf.run.shard.count}`}; resume it without --shard`);
    const all = planConfigs(suite, { ...(args.filter != null ? { filter: args.filter } : {}), ...(args.repetitions != null ? { repetitions: args.repetitions } : {}) });
    // a resumed run keeps the split it started with
    if (shard != null && resumeOf == null) checkShardCount(shard, all.length, suite.name);
    const planned = shard == null ? all : shardConfigs(all, shard);
    await sources.checkAll(planned.map((config) => config.model));
    await checkQualityModels(suite.path, planned);
    await checkEngines(planned, (gpu) => probeEngine(gpu, "local"));

    if (args.dryRun) {
        await printDryRun(planned, sources);
        return exitCodes.ok;
    }
    if (planned.length === 0) {
        console.error(`shard ${shard!.index}/${shard!.count} holds none of the ${all.length} config(s) of ${suite.name}: nothing to run or record`);
        return exitCodes.ok;
    }

    const configs: Config[] = resumeOf == null ? planned : planned.filter((config) => !resumeOf!.done.has(config.id));
    if (resumeOf?.run.status === "completed" && configs.length === 0) {
        // nothing to do: the run, its finishedAt and its run file stay exactly as they are
        console.log(formatResultsTable(resumeOf.configs));
        console.error(`run ${resumeOf.run.id} is complete: every config of it is saved; nothing was run or changed`);
        return runExitCode(resumeOf.configs.map((config) => config.status));
    }
    await checkOutputs({
        db: args.db,
        results: adhoc ? null : args.results,
        caches: [...new Set([benchCacheDir(), ...usesHub ? [hubCacheDir()] : []])]
    });
    if (adhoc && configs[0]?.model.source === "synthetic")
        console.error(`note: ${visible(configs[0].label)} has random weights: the answer below is gibberish; its speed and memory are real`);
    const progress = new ProgressLine();
    let referenceMs = 0;
    const { run, saved, statuses, interrupted, runFile, runFileError } = await runBench({
        suite, configs, shard, ...(resumeOf != null ? { resume: resumeOf.run } : {}),
        db: args.db, results: adhoc ? null : args.results,
        resolveModel: (ref, onProgress, signal) => sources.resolve(ref, onProgress, signal),
        prefetchModel: (ref, onProgress, signal) => sources.prefetch(ref, onProgress, signal),
        echo: adhoc,
        hooks: {
            ...terminalHooks(adhoc, progress),
            onReference: (_, reference, computed) => {
                if (!computed) return;
                referenceMs += reference.computeMs;
                progress.note(`reference ${visible(reference.name)} (${visible(reference.file)}): computed in ${formatMs(reference.computeMs)}, cached in ${formatBytes(reference.cacheBytes)}`);
            }
        },
        onRunReady: (run, facts) => {
            progress.clear();
            const part = shard == null ? "" : ` of shard ${shard.index}/${shard.count} (${all.length} in the suite)`;
            console.error(`run ${run.id}: ${configs.length} config(s)${resumeOf != null ? ` missing of ${planned.length}` : ""}${part} · ${visible(facts.cpu)} · ${visible(facts.backend)}`);
        },
        onInterrupt: () => console.error("\ninterrupted: saving what is done (Ctrl-C again to quit now)")
    });

    // a suite with only a quality block (or only parallel tests, which have their own table) would print a blank table
    if (saved.configs.some((record) => record.measurements.some((m) => m.kind !== "parallel") || record.status !== "ok")) console.log(formatResultsTable(saved.configs));
    const serving = formatServingTable(saved.configs);
    if (serving !== "") console.log(`\n${serving}`);
    const quality = formatQualityTable(saved.configs);
    if (quality.table !== "") console.log(`\n${quality.table}`);
    if (!adhoc) {
        const { benchRecommendation } = await import("../benchRecommendation.ts");
        const { probeLocalMemory } = await import("./recommend.ts");
        // the backend the suite ran, so that this machine's key matches the run's
        const text = await benchRecommendation(saved, suite, () => probeLocalMemory(suite.defaults.gpu));
        if (text != null) console.log(`\n${text.trimEnd()}`);
    }
    const wallMs = Date.now() - invokedAt;
    const account = workAccount(saved.configs.filter((record) => configs.some((config) => config.id === record.id)), referenceMs);
    console.error(formatWorkAccount(wallMs, account, formatMs));
    for (const line of [...warningLines(saved.configs), ...quality.warnings]) console.error(`warning: ${visible(line)}`);
    const note = syntheticNote(saved.configs);
    if (note != null) console.error(`note: ${note}`);
    if (runFileError != null) console.error(`error: ${visible(runFileError)}`);
    console.error(`saved run ${run.id} in ${visible(args.db)}${runFile != null ? ` and ${visible(displayPath(runFile))}` : ""}`);
    if (interrupted) {
        console.error(`resume with: npm run bench -- --resume ${run.id}`);
        return exitCodes.interrupted;
    }
    return runFileError != null ? exitCodes.someFailed : runExitCode(statuses);
}

function parseBenchArgs(argv: string[]): BenchArgs | null {
    const { values, positionals } = parseCommandArgs("bench", argv, {
        db: { type: "string" }, results: { type: "string" }, "dry-run": { type: "boolean" }, filter: { type: "string" },
        repetitions: { type: "string" }, resume: { type: "string" }, shard: { type: "string" }, model: { type: "string" }, prompt: { type: "string" },
        "max-tokens": { type: "string" }, threads: { type: "string" }, quant: { type: "string" }, help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    if (positionals.length > 1) throw new InputError(`bench: expected at most one suite file, got ${positionals.join(" ")}`);
    if ((values.model == null) !== (values.prompt == null)) throw new InputError("bench: --model and --prompt go together");
    if (values.model != null && positionals.length > 0) throw new InputError("bench: give either a suite file or --model/--prompt, not both");
    if (values.model != null && values.shard != null) throw new InputError("bench: --shard splits a suite; an ad-hoc --model run has one config");
    for (const flag of ["db", "results", "resume", "filter"] as const)
        if (values[flag] === "") throw new InputError(`--${flag}: expected a value, got an empty one`);
    if (positionals[0] === "") throw new InputError("bench: expected a suite file, got an empty name");
    if (values.db === ":memory:") throw new InputError("--db: expected a database file, got `:memory:`, which would throw the results away");
    return {
        ...(positionals[0] != null ? { suite: positionals[0] } : {}),
        // an empty variable counts as unset, as huggingface_hub treats HF_HOME and friends
        db: values.db ?? resultsDatabasePath(),
        results: values.results ?? runFilesPath(),
        dryRun: values["dry-run"] ?? false,
        ...(values.filter != null ? { filter: values.filter } : {}),
        ...(values.repetitions != null ? { repetitions: settingFlag("--repetitions", "repetitions", values.repetitions) } : {}),
        ...(values.resume != null ? { resume: values.resume } : {}),
        ...(values.shard != null ? { shard: parseShard(values.shard) } : {}),
        ...(values.model != null ? { model: values.model } : {}),
        ...(values.prompt != null ? { prompt: values.prompt } : {}),
        ...(values.quant != null ? { quant: values.quant } : {}),
        ...(values["max-tokens"] != null ? { maxTokens: settingFlag("--max-tokens", "maxTokens", values["max-tokens"]) } : {}),
        ...(values.threads != null ? { threads: settingFlag("--threads", "threads", values.threads) } : {})
    };
}
