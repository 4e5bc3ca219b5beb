/** `npm run compare -- BASELINE CANDIDATE [...]`: two runs (or sets of runs) side by side, with statistics and a verdict. */
import { exitCodes, InputError } from "../../errors.ts";
import { metricCatalogue } from "../../metrics/catalogue.ts";
import { compareSides, type MatchBy } from "../../compare/compareSides.ts";
import { compareSerializers, comparisonWarnings } from "../../compare/compareSerializers.ts";
import { resolveSide } from "../../compare/resolveSide.ts";
import { colorFor, parseFormat, type Format } from "../../format/serializer.ts";
import { visible } from "../../format/visible.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
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
    /** Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
    /** Defaults to `$GGUF_BENCH_RESULTS` or `results/runs`. */
    results: string;
}

const usage = `usage: npm run compare -- BASELINE CANDIDATE [options]

Each side is a run id, \`latest\`, a run file or a folder of them, a git ref (main, a tag, HEAD~1: every run file
committed there under results/runs, read through git without a checkout) or REF:RUN_ID (one run at a ref).
A side of several runs (shards, a history) takes each config from the newest run that has it, or with --pool
from all of them together.

Configs are matched by config id (same model, settings and workload) and prompt/test, within a machine
(arch, CPU, cores, backend, GPUs) when a side holds several; unmatched ones are listed. With one machine a side,
the two are compared whatever they are, with a warning listing how their fingerprints differ.

Statistics: for each metric with a direction (tok/s higher is better; ms and bytes lower), both medians and the
ratio candidate/baseline of geometric means with its 95 % confidence interval and p-value, from Welch's t-test on
the logs of the raw repetitions (speeds and times vary by a factor, so the log makes a change additive). A change
is flagged as a regression or an improvement when the whole interval lies beyond --threshold: with 95 %
confidence it is larger than that. With 3 repetitions a side (the default) a rank test (Mann-Whitney) could never
flag anything: its smallest two-sided p is 0.10. Welch's t can, but only changes large against the spread of the
repetitions; raise \`repetitions\` to see smaller ones. Repetitions of one run do not see run-to-run noise (a busy
machine, a VM's neighbours); bench several runs a side and --pool them to include it. Figures measured once per
config (load time, peak RSS) get an interval only with --pool; otherwise they are shown, not judged.

Quality passes (a suite's quality: block) are compared as the item (quality), position by position when both
sides scored the same text the same way (corpus, context, chunks, tokens): perplexity by the paired t on the
per-position NLL differences, mean KLD, top-1 and same top-1 by the ratio of paired means (delta method); KLD,
same top-1 and Δp only against the same reference. Percentiles and max are shown, not judged; so is every
quality row of passes over different texts. --pool takes the newest run's pass: quality does not vary run to run.

options:
  --threshold PCT       smallest change flagged, in percent (default 5)
  --metric M[,M...]     only these metrics (e.g. decodeTps,ttftMs,kldMean)
  --format FMT          text (default; coloured on a terminal), md (for a pull-request comment) or json
  --match id|label|order  pair configs by id (default), by label, or by their order in each run (to compare
                        runs of two suites that differ in one setting or model)
  --across-machines     pair configs of different machines too
  --pool                pool every run of a side that measured a config (their repetitions together; load time
                        and peak RSS then have one value per run), instead of taking the newest run's
  --db PATH             SQLite database for run ids and latest (default: $GGUF_BENCH_DB or results/bench.db)
  --results DIR         folder of run files, here and at git refs (default: $GGUF_BENCH_RESULTS or results/runs)
  -h, --help            this text

exit codes: 0 no regression · 1 a regression beyond the threshold · 2 invalid input`;

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
        ...(args.metrics != null ? { metrics: args.metrics } : {})
    });
    if (comparison.rows.length === 0 && comparison.unmatched.length > 0 && args.format !== "json")
        console.error(`note: no config matched${args.matchBy === "id" ? " by id (a changed setting or model changes the id: try --match label or --match order)" : ""}`);
    process.stdout.write(compareSerializers[args.format](comparison, { color: colorFor(process.stdout) }));
    if (args.format === "text") for (const line of comparisonWarnings(comparison)) console.error(`warning: ${visible(line)}`);
    return comparison.counts.regression > 0 ? exitCodes.someFailed : exitCodes.ok;
}

function parseCompareArgs(argv: string[]): CompareArgs | null {
    const { values, positionals } = parseCommandArgs("compare", argv, {
        threshold: { type: "string" }, metric: { type: "string", multiple: true }, format: { type: "string" },
        match: { type: "string" }, "across-machines": { type: "boolean" }, pool: { type: "boolean" }, db: { type: "string" }, results: { type: "string" },
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
        db: values.db ?? resultsDatabasePath(),
        results: values.results ?? runFilesPath()
    };
}
