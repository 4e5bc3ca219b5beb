/**
 * Our parallel levels beside llama.cpp's own llama-batched-bench, in interleaved rounds on one model with the same
 * settings: per level the aggregate prefill (S_PP) and decode (S_TG) tokens/s of each side, and the median of the
 * per-round ratios ours / native with their range. Our side runs through measureConfig in a child process of its own
 * each round (as `bench` runs a config, with its environment: runChild.ts' measureChildEnv), on node-llama-cpp's prebuilt binaries or, with `--engine local`, on the
 * local build (`npm run engine -- build`); the native side is whatever binary is given.
 *
 *   npx tsx scripts/serving-fidelity.ts --bench PATH/llama-batched-bench MODEL.gguf [--rounds 4] [--levels 1,2,4,8]
 *       [--pp 256] [--tg 128] [--threads 1] [--batch 512] [--context 512] [--flash-attention] [--engine prebuilt|local]
 *       [--shared] [--json FILE]
 *
 * Both sides are timed warm. Ours discards one warm-up repetition per level. batched-bench times each level once,
 * and its only warm-up is a 16-token decode at start, so its first batch of each new size pays for first-touching the
 * compute buffers (about 3 ms per MiB on this project's VM): it is given every level twice (`-npl 1,1,2,2,…`) and the
 * second row counts; the first (cold) row is kept in the JSON as `sPpCold`. Our side in this process used to leave
 * work behind it (the parent's collector, finalizers) that slowed a native run right after it by 25–35 %; in a child
 * that exits first, it cannot.
 *
 * Matched: random tokens, prompt and decode sizes, one context of N sequences each with `context` cells (batched-bench
 * gets -c levels.max × context; both keep the KV cache split per sequence, llama.cpp's default), batch and ubatch,
 * threads (-t and -tb), flash attention, no GPU layers, the file mapped. Ours computes the prompt's last logits and
 * each decode's logits and takes the greedy token, as batched-bench computes them (it never samples). `--shared`: one
 * prompt evaluated once and copied to every sequence on both sides (ours: a `shared` test; batched-bench: `-pps`).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measureConfig } from "../runner/measure/measureConfig.ts";
import { computeStatistics } from "../runner/stats/computeStatistics.ts";
import { parallelLevelId } from "../runner/suite/parallelIds.ts";
import { defaultSettings, type Engine, type ParallelTest } from "../runner/suite/types.ts";
import { measureChildEnv } from "../runner/exec/runChild.ts";

const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        bench: { type: "string" }, rounds: { type: "string", default: "4" }, levels: { type: "string", default: "1,2,4,8" },
        pp: { type: "string", default: "256" }, tg: { type: "string", default: "128" }, threads: { type: "string", default: "1" },
        batch: { type: "string", default: "512" }, context: { type: "string", default: "512" }, "flash-attention": { type: "boolean", default: false }, shared: { type: "boolean", default: false },
        engine: { type: "string", default: "prebuilt" }, json: { type: "string" }, "ours-child": { type: "boolean", default: false }
    }
});
const model = positionals[0];
if (values.bench == null || model == null) throw new Error("usage: serving-fidelity.ts --bench PATH MODEL.gguf [options]");
const levels = values.levels.split(",").map(Number);
const [pp, tg, threads, batch, context, rounds] = [values.pp, values.tg, values.threads, values.batch, values.context, values.rounds].map(Number) as [number, number, number, number, number, number];
const fa = values["flash-attention"];
if (values.engine !== "prebuilt" && values.engine !== "local") throw new Error(`--engine: \`${values.engine}\` is not prebuilt or local`);
const engine: Engine = values.engine;

type Figures = { sPp: number; sTg: number; engineShare?: number; sPpCold?: number; sTgCold?: number };
type Side = Map<number, Figures>;

function native(): Side {
    const out = execFileSync(values.bench!, [
        "-m", model!, "-c", String(Math.max(...levels) * context), "-b", String(batch), "-ub", String(batch),
        "-npp", String(pp), "-ntg", String(tg), "-npl", levels.flatMap((n) => [n, n]).join(","), "-t", String(threads), "-tb", String(threads),
        "-fa", fa ? "on" : "off", "-ngl", "0", "--output-format", "jsonl", ...(values.shared ? ["-pps"] : [])
    ], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
    const side: Side = new Map();
    for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const row = JSON.parse(line) as { pl: number; speed_pp: number; speed_tg: number };
        // each level runs twice: the first (cold) row is kept aside, the second counts
        const cold = side.get(row.pl);
        side.set(row.pl, cold == null ? { sPp: row.speed_pp, sTg: row.speed_tg } : { sPp: row.speed_pp, sTg: row.speed_tg, sPpCold: cold.sPp, sTgCold: cold.sTg });
    }
    return side;
}

/** Our side in a child process of its own (this script with --ours-child), which prints the levels' figures. */
function ours(): Side {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), "--ours-child"],
        // the environment bench gives a measure child (libuv's pool at one thread unless set)
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26, env: { ...process.env, ...measureChildEnv(process.env) } });
    return new Map(JSON.parse(out.trim().split("\n").at(-1)!) as [number, Figures][]);
}

async function oursHere(): Promise<Side> {
    const test: ParallelTest = { id: "par", sequences: levels, prompt: pp, gen: tg, shared: values.shared, rise: 0.1, itlP90Ms: null };
    const result = await measureConfig({
        id: "serving-fidelity", label: "ours", model: { source: "path", path: model! },
        params: { ...defaultSettings, context, batch, threads, threadsBatch: threads, flashAttention: fa, warmup: 1, repetitions: 1, gpu: false, engine },
        prompts: [], tests: [], parallel: [test]
    }, model!);
    const side: Side = new Map();
    for (const n of levels) {
        const m = result.measurements.find((x) => x.prompt === parallelLevelId(test, n));
        // the share of the level's wall time spent inside llama.cpp's decodes (its own counters): the rest is node-llama-cpp's
        if (m != null) side.set(n, { sPp: m.metrics.prefillTps!, sTg: m.metrics.decodeTps!, ...(m.metrics.engineMs != null ? { engineShare: m.metrics.engineMs / m.metrics.pgMs! } : {}) });
    }
    return side;
}

if (values["ours-child"]) {
    console.log(JSON.stringify([...(await oursHere())]));
    process.exit(0);
}

const results: { round: number; first: string; load: string; native: Record<number, unknown>; ours: Record<number, unknown> }[] = [];
for (let round = 0; round < rounds; round++) {
    // alternate which side goes first, so a drift in the machine's load does not favour one
    const first = round % 2 === 0 ? "native" : "ours";
    const load = readLoad();
    const a = first === "native" ? native() : ours();
    const b = first === "native" ? ours() : native();
    const [n, o] = first === "native" ? [a, b] : [b, a];
    results.push({ round, first, load, native: Object.fromEntries(n), ours: Object.fromEntries(o) });
    console.error(`round ${round + 1}/${rounds} done (${first} first, load ${load})`);
}

const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const lines = ["| N | S_PP native | S_PP ours | ours/native S_PP | S_TG native | S_TG ours | ours/native S_TG | ours: engine time / wall % |", "|---|---|---|---|---|---|---|---|"];
for (const n of levels) {
    const get = (side: "native" | "ours", key: "sPp" | "sTg") => results.map((r) => (r[side][n] as { sPp: number; sTg: number } | undefined)?.[key]).filter((x): x is number => x != null);
    const ratio = (key: "sPp" | "sTg") => results.flatMap((r) => {
        const o = r.ours[n] as { sPp: number; sTg: number } | undefined;
        const v = r.native[n] as { sPp: number; sTg: number } | undefined;
        return o != null && v != null ? [(o[key] / v[key]) * 100] : [];
    });
    const cell = (xs: number[], digits = 1) => (xs.length === 0 ? "–" : `${computeStatistics(xs).median.toFixed(digits)} (${range(xs)})`);
    const share = results.flatMap((r) => {
        const o = r.ours[n] as { engineShare?: number } | undefined;
        return o?.engineShare != null ? [o.engineShare * 100] : [];
    });
    lines.push(`| ${n} | ${cell(get("native", "sPp"))} | ${cell(get("ours", "sPp"))} | ${cell(ratio("sPp"))} % | ${cell(get("native", "sTg"))} | ${cell(get("ours", "sTg"))} | ${cell(ratio("sTg"))} % | ${cell(share)} |`);
}
console.log(lines.join("\n"));
if (values.json != null) writeFileSync(values.json, `${JSON.stringify({ settings: { model, levels, pp, tg, threads, batch, context, fa, shared: values.shared, rounds, engine }, results }, null, 2)}\n`);

/** The 1-, 5- and 15-minute load averages (zeros on Windows). */
function readLoad(): string {
    return loadavg().map((x) => x.toFixed(2)).join(" ");
}
