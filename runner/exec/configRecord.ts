/** Turns a child's outcome into the record the store saves and the run file shows. */
import type { Config } from "../plan/types.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { ConfigRecord, ModelInfo } from "../results.ts";
import type { Settings } from "../suite/types.ts";
import { summarizeMeasurements } from "../stats/summarize.ts";
import { measurementWarnings } from "../stats/warnings.ts";
import type { ChildOutcome } from "./runChild.ts";

export function modelInfo(model: ResolvedModel): ModelInfo {
    return {
        source: model.source,
        ...(model.repo != null ? { repo: model.repo } : {}),
        file: model.file,
        path: model.path,
        sha256: model.sha256,
        sizeBytes: model.sizeBytes,
        quant: model.quant,
        arch: model.arch,
        parameters: model.parameters,
        ...(model.clonedFrom != null ? { clonedFrom: model.clonedFrom } : {})
    };
}

/** The asked value of every setting that ran differently. */
export function askedWhereDifferent(asked: Settings, ran: Settings): Partial<Settings> {
    const differs = (Object.keys(asked) as (keyof Settings)[]).filter((key) => asked[key] !== ran[key]);
    return Object.fromEntries(differs.map((key) => [key, asked[key]])) as Partial<Settings>;
}

export function configRecord(
    config: Config,
    model: ResolvedModel | null,
    outcome: Exclude<ChildOutcome, { status: "interrupted" }> | { status: "failed"; error: string; stderr?: string; startMs?: number },
    startedAt: Date,
    finishedAt: Date
): ConfigRecord {
    const base = {
        id: config.id,
        label: config.label,
        model: model == null ? null : modelInfo(model),
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        ...(config.parallel != null && config.parallel.length > 0 ? { parallel: config.parallel } : {}),
        ...(outcome.stderr ? { stderr: outcome.stderr } : {})
    };
    if (outcome.status !== "ok") {
        return {
            ...base,
            status: outcome.status,
            error: outcome.error,
            params: config.params,
            asked: {},
            startMs: outcome.startMs ?? null,
            loadMs: null,
            warmupMs: null,
            engine: null,
            peakRssBytes: null,
            vramBytes: null,
            measurements: [],
            summary: {},
            quality: null,
            outputs: {},
            rssTimeline: [],
            warnings: []
        };
    }
    const { result } = outcome;
    // what ran (`auto` resolved, the context as node-llama-cpp rounded it, ...), and what was asked where it differs
    const params: Settings = { ...config.params, threads: result.threads, threadsBatch: result.threadsBatch, ...result.ran };
    return {
        ...base,
        status: "ok",
        error: null,
        params,
        asked: askedWhereDifferent(config.params, params),
        startMs: outcome.startMs ?? null,
        loadMs: result.loadMs,
        warmupMs: result.warmupMs,
        engine: result.engine,
        peakRssBytes: result.peakRssBytes,
        vramBytes: result.vramBytes,
        measurements: result.measurements,
        summary: summarizeMeasurements(result.measurements),
        quality: result.quality ?? null,
        outputs: result.outputs,
        rssTimeline: result.rssTimeline,
        warnings: [...result.warnings, ...measurementWarnings(result.measurements)]
    };
}
