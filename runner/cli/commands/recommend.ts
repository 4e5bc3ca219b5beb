/** `npm run recommend -- [RUNS...] [options]`: which quant of each model family to run on each machine, and why. */
import { existsSync } from "node:fs";
import { exitCodes, InputError } from "../../errors.ts";
import { resolveSide } from "../../compare/resolveSide.ts";
import { colorFor, parseFormat, type Format } from "../../format/serializer.ts";
import { visible } from "../../format/visible.ts";
import { fromRunFile, type RunFile } from "../../store/runFile.ts";
import { latestRunAlias } from "../../store/store.ts";
import { parseSuite } from "../../suite/parseSuite.ts";
import type { GpuBackend } from "../../suite/types.ts";
import { defaultConstraints, resolveConstraints, type RecommendConstraints, type WrittenConstraints } from "../../recommend/constraints.ts";
import { memoryBudgetOf, type LocalMemory } from "../../recommend/memoryBudget.ts";
import { recommend, type Recommendation } from "../../recommend/recommend.ts";
import { recommendSerializers } from "../../recommend/recommendSerializers.ts";
import { machineKey } from "../../store/machineKey.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";

/** Arguments of `recommend`. */
export interface RecommendArgs {
    /** Run ids, `latest`, run files or folders, git refs. Defaults to `latest` (or the run-file folder without a database). */
    sources: string[];
    /** A suite whose `recommend:` block sets the constraints (flags override it). Defaults to none. */
    suite: string | null;
    /** Flags that set a constraint. Defaults to none. */
    written: WrittenConstraints;
    /** Defaults to `"text"`. */
    format: Format;
    /** Defaults to `$GGUF_BENCH_DB` or `results/bench.db`. */
    db: string;
    /** Defaults to `$GGUF_BENCH_RESULTS` or `results/runs`. */
    results: string;
}

/** What this machine has free now; the command reads it through `info --json`, tests inject it. */
export type LocalMemoryProbe = () => Promise<LocalMemory | null>;

const usage = `usage: npm run recommend -- [RUNS...] [options]

For each model family (one base model: GGUF architecture, parameter count and name; its quants) and each machine,
the quant to run: the fastest on the objective among the quants that fit the memory budget at their MEASURED peak
with headroom, stay within the quality bound against the reference (a suite's quality: block), and meet the speed
floors. Quants whose speed intervals (the 95 % interval of the median of the repetitions; [min, max] below 6) overlap
the fastest one's are a tie and are named together; every other quant gets the reason it is ruled out. Without a
quality pass the answer ranks speed and memory only, and says so.

RUNS: run ids, \`latest\` (the default, with its other shards), run files or folders, git refs (as compare takes
them); a config measured in several runs is taken from the newest.

options:
  --objective decode|prefill|e2e   what is maximized (default decode; e2e: one request's seconds)
  --prompt-tokens N     prompt tokens of the e2e request (default 512)
  --answer-tokens N     answer tokens of the e2e request (default 256)
  --memory SIZE         memory budget, e.g. 8GiB (default: free RAM, or VRAM when offloading, of this machine
                        now for runs of this machine; the recorded total RAM for other machines)
  --headroom PCT        percent kept free above the measured peak (default 10)
  --max-kld NATS        largest mean KLD from the reference (default 0.05: Q4_K_S 0.043 is inside, Q4_0 0.072
                        outside, on llama.cpp's LLaMA 3 8B scoreboard)
  --max-ppl-ratio R     largest PPL ratio where a quant has no KLD (default 1.05)
  --min-decode TPS      slowest decode allowed, tok/s
  --min-prefill TPS     slowest prefill allowed, tok/s
  --suite PATH          take the constraints from this suite's recommend: block (flags override it)
  --format FMT          text (default), md or json
  --db PATH             database for run ids and latest (default: $GGUF_BENCH_DB or results/bench.db)
  --results DIR         folder of run files (default: $GGUF_BENCH_RESULTS or results/runs)
  -h, --help            this text

exit codes: 0 an answer for every family · 1 some family has no quant that meets the constraints · 2 invalid input`;

export async function recommendCommand(argv: string[], probe: LocalMemoryProbe = probeLocalMemory): Promise<number> {
    const args = parseRecommendArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    const base = args.suite == null ? defaultConstraints : suiteConstraints(args.suite);
    const constraints = resolveConstraints(args.written, base, flagName);
    const runs: RunFile[] = [];
    for (const source of args.sources) runs.push(...(await resolveSide(source, { db: args.db, results: args.results })).runs);
    const local = constraints.memoryBytes == null ? await probe() : null;
    const recommendation = recommendRuns(runs, constraints, local);
    process.stdout.write(recommendSerializers[args.format](recommendation, { color: colorFor(process.stdout) }));
    return recommendation.answers.some((a) => a.picks.length === 0) ? exitCodes.someFailed : exitCodes.ok;
}

/** The recommendation for run files, with the budget of this machine where it is one of theirs. */
export function recommendRuns(runs: readonly RunFile[], constraints: RecommendConstraints, local: LocalMemory | null): Recommendation {
    return recommend(runs.map((file) => fromRunFile(file)), constraints, memoryBudgetOf(constraints.memoryBytes, local));
}

/** A suite's `recommend:` block over the defaults. */
export function suiteConstraints(suitePath: string): RecommendConstraints {
    const suite = parseSuite(suitePath);
    return resolveConstraints(suite.recommend ?? {}, defaultConstraints, (key) => `${suitePath} recommend.${key}`);
}

/** Free RAM and VRAM of this machine with the `gpu` backend loaded, read in a short-lived child (`info --json`); null when that fails. */
export async function probeLocalMemory(gpu: GpuBackend = "auto"): Promise<LocalMemory | null> {
    try {
        const { probeMachineDetails } = await import("../../exec/probeMachine.ts");
        const { machine, details } = await probeMachineDetails(gpu);
        return { machineKey: machineKey(machine), freeRamBytes: details.freeMemoryBytes, freeVramBytes: details.vram?.freeBytes ?? null };
    } catch (error) {
        console.error(`note: could not read this machine's free memory (${visible((error as Error).message)}); budgets fall back to each machine's recorded total RAM`);
        return null;
    }
}

const flags: Record<keyof WrittenConstraints, string> = {
    objective: "--objective", promptTokens: "--prompt-tokens", answerTokens: "--answer-tokens", memory: "--memory", headroom: "--headroom",
    maxKld: "--max-kld", maxPplRatio: "--max-ppl-ratio", minDecodeTps: "--min-decode", minPrefillTps: "--min-prefill"
};
const flagName = (key: keyof WrittenConstraints) => flags[key];

function parseRecommendArgs(argv: string[]): RecommendArgs | null {
    const { values, positionals } = parseCommandArgs("recommend", argv, {
        objective: { type: "string" }, "prompt-tokens": { type: "string" }, "answer-tokens": { type: "string" }, memory: { type: "string" },
        headroom: { type: "string" }, "max-kld": { type: "string" }, "max-ppl-ratio": { type: "string" }, "min-decode": { type: "string" },
        "min-prefill": { type: "string" }, suite: { type: "string" }, format: { type: "string" }, db: { type: "string" }, results: { type: "string" },
        help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    const number = (flag: string, text: string | undefined): number | undefined => {
        if (text === undefined) return undefined;
        const value = Number(text);
        if (text.trim() === "" || !Number.isFinite(value)) throw new InputError(`${flag}: expected a number, got \`${visible(text)}\``);
        return value;
    };
    const written: WrittenConstraints = {};
    if (values.objective !== undefined) written.objective = values.objective;
    if (values.memory !== undefined) written.memory = values.memory;
    const numeric: [keyof WrittenConstraints, string | undefined][] = [
        ["promptTokens", values["prompt-tokens"]], ["answerTokens", values["answer-tokens"]], ["headroom", values.headroom],
        ["maxKld", values["max-kld"]], ["maxPplRatio", values["max-ppl-ratio"]], ["minDecodeTps", values["min-decode"]], ["minPrefillTps", values["min-prefill"]]
    ];
    for (const [key, text] of numeric) {
        const value = number(flags[key], text);
        if (value !== undefined) (written as Record<string, unknown>)[key] = value;
    }
    const db = values.db ?? process.env.GGUF_BENCH_DB ?? "results/bench.db";
    const results = values.results ?? process.env.GGUF_BENCH_RESULTS ?? "results/runs";
    let sources = positionals;
    if (sources.length === 0) {
        if (existsSync(db)) sources = [latestRunAlias];
        else if (existsSync(results)) sources = [results];
        else throw new InputError(`recommend: no database at ${visible(db)} and no run files in ${visible(results)}: run \`npm run bench\` first`);
    }
    return {
        sources, suite: values.suite ?? null, written, format: values.format == null ? "text" : parseFormat("--format", values.format), db, results
    };
}
