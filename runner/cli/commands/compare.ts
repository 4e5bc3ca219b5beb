/** `npm run compare -- BASELINE CANDIDATE [...]`: two runs (or sets of runs) side by side, with statistics and a verdict. */
import { exitCodes, InputError } from "../../errors.ts";
import { metricCatalogue } from "../../metrics/catalogue.ts";
import { compareSides, type MatchBy } from "../../compare/compareSides.ts";
import { compareSerializers, comparisonWarnings } from "../../compare/compareSerializers.ts";
import { resolveSide } from "../../compare/resolveSide.ts";
import { colorFor, parseFormat, type Format } from "../../format/serializer.ts";
import { visible } from "../../format/visible.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { existsSync } from "node:fs";
import { runFilePaths } from "../../store/importRuns.ts";
import { readRunFile } from "../../store/readRunFile.ts";
import type { RunFile } from "../../store/runFile.ts";
import { resultsDatabasePath, runFilesPath } from "../../paths.ts";

/** Arguments of `compare`. */
export interface CompareArgs {
    /** Run id, `latest`, run file or folder, git ref or REF:RUN_ID. Required. */
    baseline: string;
    /** As `baseline`. Required. */
    candidate: string;
    /** Percent a change must exceed, with 95 % confidence, to be flagged. Defaults to `5`. */
    threshold: number;
    /** Only these metrics. Defaults to every metric with a direction. */
    metrics?: string[];
    /** Defaults to `"text"`. */
    format: Format;
    /** Defaults to `"id"`. */
    matchBy: MatchBy;
    /** Pair configs across machines. Defaults to `false`. */
    acrossMachines: boolean;
    /** Pool every run of a side that measured a config. Defaults to `false` (the newest run's). */
    pool: boolean;
    /** Allow the same run on both sides. Defaults to `false`. */
    sameRun: boolean;
    /** Read between-run noise from earlier runs. Defaults to `true`. */
    history: boolean;
    /** Text: every row. Defaults to `false`. */
    all: boolean;
    /** Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
    /** Defaults to `$GGUF_BENCH_RESULTS` or `results/runs`. */
    results: string;
}

const usage = `usage: npm run compare -- BASELINE CANDIDATE [options]

Each side is a run id, \`latest\`, a run file or a folder of them, a git ref (main, a tag, HEAD~1: every run file
committed there under results/runs, read through git without a checkout) or REF:RUN_ID (one run at a ref).

Which runs: a side is a set of runs. Per suite (its name) and machine, compare takes the newest run of BASELINE
(with the other shards of it) and the newest run of CANDIDATE that is not also in BASELINE: \`HEAD~1 HEAD\` compares
the run committed last with the one before it. The same run on both sides is refused (exit 2) unless --same-run;
so are two sides that hold the same runs. --pool takes every run of a side instead of the newest.

Which configs: by config id, then what is left by label, then by position in the run (when both sides have as many
left). A changed setting or model changes the id; what differs between configs paired another way is printed
above the table (\`context: 1024 → 4096\`).

Statistics: one estimator everywhere, the geometric mean of the repetitions: the value columns show it and the
change is their ratio, with a 95 % interval from a noise model named on each row:
  repetitions  Welch's t on the logs of the repetitions (sees only the noise within each run);
  history      the spread of the same figure over earlier runs of the config on this machine (5 or more, from both
               sides and --results), used when it is wider: it sees the drift between runs that one run cannot;
  paired positions  quality passes (a suite's quality: block), position by position.
Verdicts: regression / improvement when the whole interval lies beyond --threshold, unchanged when it lies inside
±threshold, inconclusive when it does not (never counted as unchanged). Rows with no interval (one value a side
and too little history; quality percentiles) are shown, not judged. A config measured while the machine was busy
(load average above the cores, CPU taken by other processes or stolen) is flagged: a slowdown there is still a
regression, with a note that the machine may be its cause.

options:
  --threshold PCT       smallest change flagged, in percent (default 5)
  --metric M[,M...]     only these metrics (e.g. decodeTps,ttftMs,kldMean)
  --format FMT          text (default; coloured on a terminal), md (a pull-request comment) or json
  --all                 text: every row, unchanged and not judged too (default: the verdict, then regressions,
                        improvements and inconclusive rows)
  --match id|label|order  the first way configs are paired (default id); the later ones pair what is left
  --across-machines     pair runs and configs of different machines too
  --pool                every run of a side together (their repetitions pooled) instead of the newest
  --same-run            allow the same run on both sides
  --no-history          judge by the repetitions alone, not by earlier runs (of the config, or of the machine)
  --db PATH             SQLite database for run ids and latest (default: $GGUF_BENCH_DB or results/bench.db)
  --results DIR         folder of run files, here and at git refs (default: $GGUF_BENCH_RESULTS or results/runs)
  -h, --help            this text

exit codes: 0 no regression · 1 a regression beyond the threshold · 2 invalid input (also: nothing new to compare)`;

export async function compareCommand(argv: string[]): Promise<number> {
    const args = parseCompareArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    const sides = { db: args.db, results: args.results };
    const baseline = await resolveSide(args.baseline, sides);
    const candidate = await resolveSide(args.candidate, sides);
    const comparison = compareSides(baseline, candidate, {
        threshold: args.threshold,
        matchBy: args.matchBy,
        acrossMachines: args.acrossMachines,
        pool: args.pool,
        sameRun: args.sameRun,
        useHistory: args.history,
        history: args.history ? await historyRuns(args.results) : [],
        ...(args.metrics != null ? { metrics: args.metrics } : {})
    });
    if (comparison.rows.length === 0 && comparison.unmatched.length > 0 && args.format !== "json") console.error("note: no config matched");
    process.stdout.write(compareSerializers[args.format](comparison, { color: colorFor(process.stdout), all: args.all }));
    if (args.format === "text") for (const line of comparisonWarnings(comparison)) console.error(`warning: ${visible(line)}`);
    return comparison.counts.regression > 0 ? exitCodes.someFailed : exitCodes.ok;
}

/** The run files of the results folder in the working tree, as history; a file that does not read is skipped. */
async function historyRuns(results: string): Promise<RunFile[]> {
    if (!existsSync(results)) return [];
    const runs: RunFile[] = [];
    for (const file of runFilePaths([results])) {
        try {
            runs.push((await readRunFile(file)).file);
        } catch {
            // not a run file this version reads: it only adds history
        }
    }
    return runs;
}

function parseCompareArgs(argv: string[]): CompareArgs | null {
    const { values, positionals } = parseCommandArgs("compare", argv, {
        threshold: { type: "string" }, metric: { type: "string", multiple: true }, format: { type: "string" },
        match: { type: "string" }, "across-machines": { type: "boolean" }, pool: { type: "boolean" },
        "same-run": { type: "boolean" }, "no-history": { type: "boolean" }, all: { type: "boolean" }, db: { type: "string" }, results: { type: "string" },
        help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    if (positionals.length !== 2)
        throw new InputError(`compare: expected BASELINE and CANDIDATE, got ${positionals.length === 0 ? "nothing" : positionals.map((p) => `\`${visible(p)}\``).join(" ")} (see --help)`);
    const threshold = values.threshold == null ? 5 : Number(values.threshold);
    if (!Number.isFinite(threshold) || threshold < 0) throw new InputError(`--threshold: expected a number of percent >= 0, got \`${visible(values.threshold ?? "")}\``);
    const metrics = values.metric?.flatMap((m) => m.split(",")).map((m) => m.trim()).filter((m) => m !== "");
    for (const metric of metrics ?? [])
        if (!metricCatalogue.has(metric) || metricCatalogue.get(metric)!.better === "none")
            throw new InputError(`--metric: expected a metric with a direction (${[...metricCatalogue.values()].filter((d) => d.better !== "none").map((d) => d.name).join(", ")}), got \`${visible(metric)}\``);
    const match = values.match ?? "id";
    if (match !== "id" && match !== "label" && match !== "order") throw new InputError(`--match: expected \`id\`, \`label\` or \`order\`, got \`${visible(match)}\``);
    return {
        baseline: positionals[0]!,
        candidate: positionals[1]!,
        threshold,
        ...(metrics != null ? { metrics } : {}),
        format: values.format == null ? "text" : parseFormat("--format", values.format),
        matchBy: match,
        acrossMachines: values["across-machines"] ?? false,
        pool: values.pool ?? false,
        sameRun: values["same-run"] ?? false,
        history: !(values["no-history"] ?? false),
        all: values.all ?? false,
        db: values.db ?? resultsDatabasePath(),
        results: values.results ?? runFilesPath()
    };
}
