/** Turns a child's outcome into the record the store saves and the run file shows. */
import type { Config } from "../plan/types.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { ConfigRecord, ModelInfo } from "../results.ts";
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
        ...(outcome.stderr ? { stderr: outcome.stderr } : {})
    };
    if (outcome.status !== "ok") {
        return {
            ...base,
            status: outcome.status,
            error: outcome.error,
            params: config.params,
            startMs: outcome.startMs ?? null,
            loadMs: null,
            warmupMs: null,
            peakRssBytes: null,
            vramBytes: null,
            measurements: [],
            summary: {},
            outputs: {},
            rssTimeline: [],
            warnings: []
        };
    }
    const { result } = outcome;
    return {
        ...base,
        status: "ok",
        error: null,
        // `threads: auto` / `threadsBatch: auto` are recorded as the counts the child actually used
        params: { ...config.params, threads: result.threads, threadsBatch: result.threadsBatch },
        startMs: outcome.startMs ?? null,
        loadMs: result.loadMs,
        warmupMs: result.warmupMs,
        peakRssBytes: result.peakRssBytes,
        vramBytes: result.vramBytes,
        measurements: result.measurements,
        summary: summarizeMeasurements(result.measurements),
        outputs: result.outputs,
        rssTimeline: result.rssTimeline,
        warnings: [...result.warnings, ...measurementWarnings(result.measurements)]
    };
}
