/**
 * Expands a suite into configs: each model (hf and synthetic quant lists become one model per quant) times each
 * point of the matrix, models outermost and matrix keys in suite order, each config with a stable id.
 */
import path from "node:path";
import { InputError } from "../errors.ts";
import type { Settings, SweepableKey, Suite } from "../suite/types.ts";
import { likeLabel } from "../suite/parseLike.ts";
import { configId } from "./configId.ts";
import { qualityPlan } from "./qualityPlan.ts";
import type { Config, ModelRef } from "./types.ts";

export interface PlanOptions {
    /** Keep configs whose label or id contains this text (case-insensitive). Defaults to `undefined` (all). */
    filter?: string;
    /** Measured runs per prompt/test for every config, overriding the suite. Defaults to the suite's setting. */
    repetitions?: number;
}

export function planConfigs(suite: Suite, opts: PlanOptions = {}): Config[] {
    if (opts.repetitions !== undefined && !(Number.isSafeInteger(opts.repetitions) && opts.repetitions >= 1)) {
        throw new InputError(`--repetitions: expected an integer >= 1, got \`${opts.repetitions}\` (${typeof opts.repetitions})`);
    }
    const points = matrixPoints(suite.matrix);
    const configs: Config[] = [];
    const byId = new Map<string, Config>();
    for (const model of suite.models.flatMap(expandModel)) {
        for (const point of points) {
            const params: Settings = { ...suite.defaults, ...point };
            if (opts.repetitions !== undefined) params.repetitions = opts.repetitions;
            const base = {
                model, params, prompts: suite.prompts, tests: suite.tests,
                ...(suite.parallel != null && suite.parallel.length > 0 ? { parallel: suite.parallel } : {}),
                ...(suite.quality != null ? { quality: qualityPlan(suite.quality, model) } : {})
            };
            const config: Config = { id: configId(base), label: [modelLabel(model), ...pointLabel(point)].join(" "), ...base };
            const twin = byId.get(config.id);
            if (twin) throw new InputError(`${suite.path}: configs \`${twin.label}\` and \`${config.label}\` are the same (id ${config.id}): is a model listed twice?`);
            byId.set(config.id, config);
            configs.push(config);
        }
    }
    if (opts.filter === undefined) return configs;
    const needle = opts.filter.toLowerCase();
    const kept = configs.filter((c) => c.label.toLowerCase().includes(needle) || c.id.toLowerCase().includes(needle));
    if (kept.length === 0) {
        throw new InputError(`--filter: expected text found in a config label or id, got \`${opts.filter}\` (matches none of the ${configs.length} configs of ${suite.name})`);
    }
    return kept;
}

/** One ModelRef per quant of a quant list; a single file or path stays one. */
export function expandModel(spec: Suite["models"][number]): ModelRef[] {
    switch (spec.source) {
        case "path": return [{ source: "path", path: spec.path }];
        case "hf": return "file" in spec
            ? [{ source: "hf", repo: spec.repo, revision: spec.revision, file: spec.file }]
            : spec.quants.map((quant) => ({ source: "hf", repo: spec.repo, revision: spec.revision, quant }));
        case "synthetic":
            if ("like" in spec) return (spec.quants ?? [null]).map((quant) => ({ source: "synthetic", like: spec.like, quant, seed: spec.seed }));
            return spec.quants.map((quant) => ({ source: "synthetic", preset: spec.preset, quant, seed: spec.seed }));
    }
}

type Point = Partial<Pick<Settings, SweepableKey>>;

/** Cartesian product of the matrix lists; the first key varies slowest. No matrix: one empty point. */
function matrixPoints(matrix: Suite["matrix"]): Point[] {
    let points: Point[] = [{}];
    for (const [key, values] of Object.entries(matrix) as [SweepableKey, unknown[]][]) {
        points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })));
    }
    return points;
}

function modelLabel(model: ModelRef): string {
    switch (model.source) {
        case "path": return path.basename(model.path);
        case "hf": return "file" in model ? `${model.repo}/${model.file}` : `${model.repo} ${model.quant}`;
        case "synthetic": {
            const seed = model.seed === 1 ? "" : ` seed=${model.seed}`;
            if ("like" in model) return `synthetic clone of ${likeLabel(model.like)}${model.quant != null ? ` ${model.quant}` : ""}${seed}`;
            return `synthetic ${model.preset} ${model.quant}${seed}`;
        }
    }
}

const shortNames: Partial<Record<SweepableKey, string>> = { context: "ctx", gpuLayers: "ngl", kvType: "kv", flashAttention: "fa", temperature: "temp" };

/** Only the swept values: `ctx=2048`, `stream`, `fa=on`. */
function pointLabel(point: Point): string[] {
    return Object.entries(point).map(([key, value]) => {
        if (key === "mode") return String(value);
        const shown = typeof value === "boolean" && key === "flashAttention" ? (value ? "on" : "off") : String(value);
        return `${shortNames[key as SweepableKey] ?? key}=${shown}`;
    });
}
