/**
 * `bench --shard K/N`: part K of N of a suite's configs, for one machine (or CI job) of many. Every machine computes
 * the same partition from the suite alone (no download, no file on disk consulted), so the N parts hold each config
 * exactly once. Parts are balanced by an estimate of each config's work: the model's size in bytes (parameters ×
 * bits per weight, from the synthetic recipe or from the names of the repo and file) × the tokens it processes
 * (warm-up and measured runs of every prompt and test). Largest first, each to the part with the least work so far
 * (longest-processing-time scheduling); within a part, configs keep the suite's order.
 */
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { syntheticTensors } from "../models/synthetic/synthetic.ts";
import type { Shard } from "../results.ts";
import type { Config, ModelRef } from "../plan/types.ts";

/** `K/N` checked: 1 ≤ K ≤ N. */
export function parseShard(text: string): Shard {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim());
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (match == null || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count || count > maxShards)
        throw new InputError(`--shard: expected K/N with 1 <= K <= N <= ${maxShards} (e.g. 2/4), got \`${visible(text)}\``);
    return { index, count };
}

/** The most parts a suite is split into (a run file's `shard.count` is held to the same bound). */
export const maxShards = 10_000;

/** A split into more parts than there are configs leaves parts empty: refused, naming the most that makes sense. */
export function checkShardCount(shard: Shard, configCount: number, suiteName: string): void {
    if (shard.count > configCount)
        throw new InputError(`--shard ${shard.index}/${shard.count}: ${visible(suiteName)} has ${configCount} config(s)${configCount === 0 ? "" : `, so N may be at most ${configCount}`}: every part must hold at least one`);
}

/** The configs of part `shard.index` of `shard.count`, in plan order. */
export function shardConfigs(configs: readonly Config[], shard: Shard): Config[] {
    const totals = Array.from({ length: shard.count }, () => 0);
    const part = new Map<string, number>();
    const byWork = [...configs].map((config) => ({ config, work: configWork(config) }))
        .sort((a, b) => b.work - a.work || (a.config.id < b.config.id ? -1 : a.config.id > b.config.id ? 1 : 0));
    for (const { config, work } of byWork) {
        let least = 0;
        for (let i = 1; i < totals.length; i++) if (totals[i]! < totals[least]!) least = i;
        totals[least]! += work;
        part.set(config.id, least + 1);
    }
    return configs.filter((config) => part.get(config.id) === shard.index);
}

/** The estimate shards are balanced by: model bytes × tokens processed. Always > 0. */
export function configWork(config: Config): number {
    const p = config.params;
    const tokens = config.prompts.length * (p.maxTokens + 64) + config.tests.reduce((sum, t) => sum + t.pp + t.tg + t.depth, 0);
    return Math.max(1, modelBytesEstimate(config.model)) * (p.warmup + p.repetitions) * Math.max(1, tokens);
}

/** Parameters × bits per weight / 8, from what the suite says; 1e9 parameters when nothing says. */
export function modelBytesEstimate(model: ModelRef): number {
    switch (model.source) {
        case "synthetic": {
            if ("like" in model) {
                // a clone: the size of what it copies, re-typed to `quant` when one is given
                const name = "path" in model.like ? path.basename(model.like.path) : `${model.like.repo}/${model.like.file}`;
                return (parametersFromName(name) * bitsPerWeight(model.quant ?? name)) / 8;
            }
            let parameters = 1e9;
            try {
                parameters = syntheticTensors(model as Parameters<typeof syntheticTensors>[0]).reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
            } catch {
                // a recipe this estimate does not know: the default
            }
            return (parameters * bitsPerWeight(model.quant)) / 8;
        }
        case "hf": {
            const name = "file" in model ? `${model.repo}/${model.file}` : model.repo;
            return (parametersFromName(name) * bitsPerWeight("file" in model ? model.file : model.quant)) / 8;
        }
        case "path":
            return (parametersFromName(path.basename(model.path)) * bitsPerWeight(path.basename(model.path))) / 8;
    }
}

/** `Qwen2.5-1.5B-Instruct` → 1.5e9, `SmolLM-360M` → 3.6e8, `stories260K` → 2.6e5; 1e9 when no size is named. */
export function parametersFromName(name: string): number {
    const match = /(?<![0-9.])(\d+(?:\.\d+)?)([kmbt])(?![a-z])/i.exec(name.replace(/_/g, "-"));
    if (match == null) return 1e9;
    const scale = { k: 1e3, m: 1e6, b: 1e9, t: 1e12 }[match[2]!.toLowerCase() as "k" | "m" | "b" | "t"];
    return Number(match[1]) * scale;
}

/** F32 32, F16/BF16 16, `Qn…` and `IQn…` about n + 0.5; 8 when the name says nothing. */
export function bitsPerWeight(quantOrFile: string): number {
    const upper = quantOrFile.toUpperCase();
    if (/(^|[^A-Z0-9])F32([^0-9]|$)/.test(upper)) return 32;
    if (/(^|[^A-Z0-9])B?F16([^0-9]|$)/.test(upper)) return 16;
    const match = /(?:^|[^A-Z])I?Q(\d)(?:_|[^0-9]|$)/.exec(upper);
    return match == null ? 8 : Number(match[1]) + 0.5;
}
