/** `npm run fidelity -- --llama-bench PATH MODEL.gguf [...]`: our figures beside llama.cpp's own, interleaved pairs. */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { visible } from "../../format/visible.ts";
import { exitCodes, InputError } from "../../errors.ts";
import { parseCommandArgs } from "../parseCommandArgs.ts";
import { parseBenchTest } from "../../fidelity/benchTests.ts";
import { bestThreadSummaries, fidelitySummaries, formatFidelity, type FidelityPair } from "../../fidelity/fidelityTable.ts";
import { probeEngine } from "../../exec/probeMachine.ts";
import { engines, type Engine } from "../../suite/types.ts";
import { compareAnchorEngine, formatAnchorEngine, prebuiltBinsDir } from "../../fidelity/anchorEngine.ts";
import { runLlamaBench, type LlamaBenchSettings } from "../../fidelity/llamaBench.ts";
import { runRunnerSide } from "../../fidelity/runnerSide.ts";
import { machineLoad, snapshotLoad } from "../../exec/machineLoad.ts";
import { busyReason } from "../../stats/machineBusy.ts";
import type { BenchTest } from "../../suite/types.ts";

/** Arguments of `fidelity`. */
export interface FidelityArgs {
    /** The user's llama-bench binary: best `same-binaries/llama-bench` from scripts/build-matched-llama-bench.sh. */
    llamaBench: string;
    models: string[];
    /** Pairs per (model, test, threads). Defaults to `6`. */
    pairs: number;
    /** Thread counts, or `auto` (each side's default). Defaults to `1..cores,auto`. */
    threads: (number | "auto")[];
    /** Defaults to `pp512, tg128, pp512+tg128, tg128@d4096`. */
    tests: BenchTest[];
    /** Defaults to `512` (both n_batch and n_ubatch on the llama-bench side, as node-llama-cpp sets them equal). */
    batch: number;
    /** Defaults to `false`. */
    flashAttention: boolean;
    /** Goal for runner / llama-bench in percent, for the verdict column. Defaults to `97`. */
    target: number;
    /** Also write every pair's raw figures here as JSON. */
    json?: string;
    /** The engines the runner side runs on, each against the same llama-bench. Defaults to both when a local build exists, else `prebuilt`. */
    engines: Engine[] | null;
}

const usage = `usage: npm run fidelity -- --llama-bench PATH MODEL.gguf [MODEL.gguf ...] [options]

Runs each test with gguf-bench's runner and with llama.cpp's llama-bench side by side, interleaved (the order
alternates each pair), and prints runner / llama-bench as the median of the per-pair ratios, with its
distribution-free 95 % confidence interval and whether that interval clears the target.

PATH: best the same-binaries/llama-bench that scripts/build-matched-llama-bench.sh assembles (llama-bench's code
over node-llama-cpp's own engine files). The "anchor engine" line says whether llama-bench loaded the very CPU
backend node-llama-cpp ships; if not, the ratios include the difference in machine code.

options:
  --pairs N              pairs per model, test and thread count (default 6: the fewest whose min–max covers the median ratio at ≥ 95 %)
  --threads LIST         e.g. 1,2,auto (default 1..cores,auto; auto = each side's default: llama-bench without -t,
                         gguf-bench with threads: auto and threadsBatch: auto)
  --tests LIST           default pp512,tg128,pp512+tg128,tg128@d4096
  --batch N              n_batch = n_ubatch on both sides (default 512)
  --flash-attention      on both sides (default off)
  --target PCT           goal for runner/llama-bench, for the verdict column (default 97)
  --json FILE            write every pair's raw figures and the summary with intervals
  --engine LIST          the runner's engines: prebuilt, local or both (default both when a local build exists
                         here, else prebuilt); each round runs every engine's pair in turn
  -h, --help`;

export async function fidelityCommand(argv: string[]): Promise<number> {
    const args = parseFidelityArgs(argv);
    if (args == null) {
        console.log(usage);
        return exitCodes.ok;
    }
    let binaries = args.engines;
    if (binaries == null) {
        const local = await probeEngine(false, "local").then(() => true, () => false);
        if (!local) process.stderr.write("no local engine here (`npm run engine -- build` makes one): the runner runs on the prebuilt one only\n");
        binaries = local ? ["prebuilt", "local"] : ["prebuilt"];
    } else if (binaries.includes("local")) await probeEngine(false, "local");
    const pairs: FidelityPair[] = [];
    let cpuBackend: string | null | undefined;
    for (const model of args.models)
        for (const test of args.tests)
            for (const threads of args.threads) {
                const settings: LlamaBenchSettings = { threads, batch: args.batch, flashAttention: args.flashAttention };
                for (let i = 0; i < args.pairs; i++) for (const binary of binaries) {
                    // alternate who goes first, so drift on a shared machine hits both sides alike
                    const ours = () => runRunnerSide(model, test, settings, binary);
                    const theirs = () => runLlamaBench(args.llamaBench, model, test, settings);
                    const before = snapshotLoad();
                    const [app, sample] = i % 2 === 0
                        ? [await ours(), await theirs()]
                        : await theirs().then(async (t) => [await ours(), t] as const);
                    const llamaBench = sample.tps;
                    if (cpuBackend == null && sample.cpuBackend != null) {
                        // said early too, so a user learns before the whole run whether the anchor is the same machine code
                        cpuBackend = sample.cpuBackend;
                        process.stderr.write(formatAnchorEngine(await compareAnchorEngine(cpuBackend, prebuiltBinsDir())) + "\n");
                    }
                    const load = machineLoad(before, snapshotLoad());
                    pairs.push({ model: path.basename(model), binary, test: test.id, threads, llamaBench, app: app.app, engine: app.engine, load });
                    const busy = busyReason(load);
                    process.stderr.write(`${visible(path.basename(model))} ${test.id} t=${threads} ${binary} pair ${i + 1}/${args.pairs}: llama-bench ${llamaBench.toFixed(1)} · runner ${app.app.toFixed(1)} t/s` +
                        `${load.loadAverage == null ? "" : ` · load ${load.loadAverage.toFixed(2)}`}${busy == null ? "" : ` (busy machine: ${busy})`}\n`);
                }
            }
    const options = { target: args.target };
    const anchorEngine = await compareAnchorEngine(cpuBackend ?? null, prebuiltBinsDir());
    console.log(formatAnchorEngine(anchorEngine));
    console.log(formatFidelity(pairs, options));
    if (args.json != null) {
        const summary = fidelitySummaries(pairs, options);
        await writeFile(args.json, JSON.stringify({ settings: { ...args, engines: binaries, tests: args.tests.map((t) => t.id) }, anchorEngine, pairs, summary, best: bestThreadSummaries(pairs) }, null, 2) + "\n");
    }
    return exitCodes.ok;
}

function parseFidelityArgs(argv: string[]): FidelityArgs | null {
    const { values, positionals } = parseCommandArgs("fidelity", argv, {
        "llama-bench": { type: "string" }, pairs: { type: "string" }, threads: { type: "string" }, tests: { type: "string" },
        batch: { type: "string" }, "flash-attention": { type: "boolean" }, engine: { type: "string" }, target: { type: "string" }, json: { type: "string" }, help: { type: "boolean", short: "h" }
    });
    if (values.help) return null;
    const llamaBench = values["llama-bench"];
    if (llamaBench == null || !existsSync(llamaBench)) throw new InputError(`fidelity: --llama-bench: expected the path of a llama-bench binary, got \`${llamaBench ?? ""}\``);
    if (positionals.length === 0) throw new InputError("fidelity: expected at least one MODEL.gguf");
    for (const model of positionals) if (!existsSync(model)) throw new InputError(`fidelity: no such model file \`${model}\``);
    const cores = os.availableParallelism();
    return {
        llamaBench,
        models: positionals.map((model) => path.resolve(model)),
        pairs: intList("--pairs", values.pairs ?? "6")[0]!,
        threads: threadList(values.threads ?? [...Array.from({ length: cores }, (_, i) => i + 1), "auto"].join(",")),
        tests: (values.tests ?? "pp512,tg128,pp512+tg128,tg128@d4096").split(",").map(parseBenchTest),
        batch: intList("--batch", values.batch ?? "512")[0]!,
        flashAttention: values["flash-attention"] ?? false,
        target: percentage("--target", values.target ?? "97"),
        ...(values.json != null ? { json: values.json } : {}),
        engines: values.engine == null ? null : engineList(values.engine)
    };
}

function engineList(text: string): Engine[] {
    const list = text.split(",").map((item) => engines.find((known) => known === item.trim()));
    if (list.length === 0 || list.some((item) => item === undefined))
        throw new InputError(`fidelity: --engine: expected a list of ${engines.map((e) => `\`${e}\``).join(", ")}, got \`${visible(text)}\``);
    return [...new Set(list as Engine[])];
}

function percentage(flag: string, text: string): number {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0) throw new InputError(`fidelity: ${flag}: expected a percentage > 0 such as 97, got \`${text}\``);
    return value;
}

/** Thread counts, or `auto`: each side with its own default thread choice (what a user gets without `-t`). */
function threadList(text: string): (number | "auto")[] {
    return text.split(",").map((item) => {
        if (item.trim() === "auto") return "auto";
        const value = Number(item);
        if (item.trim() === "" || !Number.isInteger(value) || value < 1) throw new InputError(`fidelity: --threads: expected integers >= 1 or auto, got \`${text}\``);
        return value;
    });
}

function intList(flag: string, text: string): number[] {
    const values = text.split(",").map(Number);
    if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new InputError(`fidelity: ${flag}: expected integers >= 1, got \`${text}\``);
    return values;
}
