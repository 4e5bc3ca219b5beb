/**
 * The decode-gap experiment of docs/engine.md: tg128 through gguf-bench's runner (its own child per sample, one
 * warm-up, as `bench` runs it) under environment variants that change how OpenMP's and libuv's threads meet, against
 * llama-bench in the same round (`-` for none). `default` is the measure child's environment (runChild.ts'
 * measureChildEnv: libuv's pool at one thread); the others add to it. Rounds interleave every variant; the raw samples go to the JSON file.
 *
 *   npx tsx scripts/decode-variants.ts LLAMA_BENCH MODEL.gguf OUT_JSON [rounds=3] [engine=local] [threads=1,2]
 */
import { writeFile } from "node:fs/promises";
import { runLlamaBench } from "../runner/fidelity/llamaBench.ts";
import { runRunnerSide } from "../runner/fidelity/runnerSide.ts";
import type { Engine } from "../runner/suite/types.ts";

const [llamaBench, model, out, roundsText = "3", engineText = "local", threadsText = "1,2"] = process.argv.slice(2);
if (llamaBench == null || model == null || out == null) throw new Error("usage: decode-variants.ts LLAMA_BENCH MODEL.gguf OUT_JSON [rounds] [engine] [threads]");
const engine = engineText as Engine;
const test = { id: "tg128", pp: 0, tg: 128, depth: 0 };
/** Each variant: the environment the runner's child gets on top of this one's. */
const variants: Record<string, Record<string, string>> = {
    // the measure child's own default since this experiment: libuv's pool at one thread (runChild.ts' measureChildEnv)
    default: {},
    "UV_THREADPOOL_SIZE=4 (libuv's default)": { UV_THREADPOOL_SIZE: "4" },
    "OMP_WAIT_POLICY=passive": { OMP_WAIT_POLICY: "passive" },
    "GOMP_SPINCOUNT=0": { GOMP_SPINCOUNT: "0" },
    "OMP_WAIT_POLICY=active": { OMP_WAIT_POLICY: "active" }
};
const samples: { round: number; threads: number; side: string; app: number; engine: number | null }[] = [];
for (let round = 0; round < Number(roundsText); round++)
    for (const threads of threadsText.split(",").map(Number)) {
        const settings = { threads, batch: 512, flashAttention: false };
        if (llamaBench !== "-") {
            const lb = await runLlamaBench(llamaBench, model, test, settings);
            samples.push({ round, threads, side: "llama-bench", app: lb.tps, engine: null });
        }
        for (const [name, env] of Object.entries(variants)) {
            const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
            Object.assign(process.env, env);
            try {
                const sample = await runRunnerSide(model, test, settings, engine);
                samples.push({ round, threads, side: name, app: sample.app, engine: sample.engine });
            } finally {
                for (const [key, value] of Object.entries(saved)) if (value == null) delete process.env[key]; else process.env[key] = value;
            }
        }
        process.stderr.write(`round ${round + 1} t=${threads}: ${samples.filter((s) => s.round === round && s.threads === threads).map((s) => `${s.side} ${s.app.toFixed(1)}${s.engine != null ? `/${s.engine.toFixed(1)}` : ""}`).join(" · ")}\n`);
        await writeFile(out, JSON.stringify({ model, engine, test: test.id, variants, samples }, null, 2) + "\n");
    }
