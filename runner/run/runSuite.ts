/**
 * Runs planned configs one at a time, each in its own child, saving each config in one transaction the moment it
 * finishes. The next config's model may download meanwhile (one download at a time), never two measurements at once.
 */
import PQueue from "p-queue";
import { firstLine } from "../errors.ts";
import type { Config, ModelRef } from "../plan/types.ts";
import type { ResolvedModel } from "../models/types.ts";
import type { ConfigRecord, ConfigStatus, Phase, QualityReference, RunRecord } from "../results.ts";
import type { Store } from "../store/store.ts";
import { configRecord } from "../exec/configRecord.ts";
import type { ReferenceInput } from "../protocol/protocol.ts";
import { ReferenceError, References } from "../exec/references.ts";
import { runChild, type RunChildOptions } from "../exec/runChild.ts";
import { machineLoad, snapshotLoad } from "../exec/machineLoad.ts";

export interface SuiteRunHooks {
    onConfigStart?(config: Config, index: number, total: number): void;
    onProgress?(config: Config, progress: { phase: Phase; step: string; tps?: number; fraction?: number }): void;
    /** A config's quality reference is ready: read from the cache (`computed` false) or just computed. */
    onReference?(config: Config, reference: QualityReference, computed: boolean): void;
    /** Bytes of the config's model downloaded (or, `writing`, of a synthetic model written) so far. */
    onDownload?(config: Config, done: number, total: number, activity?: "downloading" | "writing"): void;
    onText?(text: string): void;
    onConfigDone?(record: ConfigRecord, index: number, total: number): void;
}

export interface RunSuiteOptions {
    /**
     * The run the configs belong to. A promise while harness work (the machine probe) still runs beside the first
     * child's start: that child is told to start only once it resolves, and nothing is saved before. A rejection
     * kills the child and rejects runSuite with that error, with nothing saved.
     */
    run: RunRecord | Promise<RunRecord>;
    /** Configs to run now (on --resume: only the missing ones). */
    configs: Config[];
    store: Store;
    /** Download or write (if needed) and describe a model: the expensive part, run between measurements. */
    resolveModel(ref: ModelRef, onProgress?: (done: number, total: number, activity: "downloading" | "writing") => void): Promise<ResolvedModel>;
    /** Fetch a model's bytes ahead of time without hashing it (network only); optional. */
    prefetchModel?(ref: ModelRef, onProgress?: (done: number, total: number) => void): Promise<void>;
    signal?: AbortSignal;
    echo?: boolean;
    hooks?: SuiteRunHooks;
    /** Options passed to every child (tests inject a fake child here). */
    childOptions?: Pick<RunChildOptions, "childEntry" | "env" | "startTimeoutMs">;
    /** The quality references: computed once, cached. Defaults to `References` over `resolveModel` and the bench cache. */
    references?: Pick<References, "ensure">;
}

export interface RunSuiteResult {
    /** Records saved by this invocation, in run order. */
    records: ConfigRecord[];
    interrupted: boolean;
}

export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
    const { configs, store, hooks = {} } = options;
    const runReady = Promise.resolve(options.run);
    runReady.catch(() => undefined); // a rejection is raised where a config is saved
    const save = async (record: ConfigRecord) => store.saveConfig((await runReady).id, record);
    const downloads = new PQueue({ concurrency: 1 });
    const prefetches = new Map<string, Promise<void>>();
    const prefetch = (config: Config | undefined) => {
        if (config == null || options.prefetchModel == null) return;
        const key = JSON.stringify(config.model);
        if (prefetches.has(key)) return;
        const task = downloads.add(() => options.prefetchModel!(config.model, (done, total) => hooks.onDownload?.(config, done, total)));
        // a failed prefetch is reported when the config itself resolves its model
        prefetches.set(key, task.then(() => undefined, () => undefined));
    };

    const references = options.references ?? new References({
        resolveModel: (ref) => options.resolveModel(ref),
        ...(options.childOptions != null ? { childOptions: options.childOptions } : {})
    });

    const records: ConfigRecord[] = [];
    for (const [index, config] of configs.entries()) {
        if (options.signal?.aborted) return { records, interrupted: true };
        hooks.onConfigStart?.(config, index, configs.length);
        const startedAt = new Date();
        prefetch(config);
        let model: ResolvedModel;
        try {
            await prefetches.get(JSON.stringify(config.model));
            model = await options.resolveModel(config.model, (done, total, activity) => hooks.onDownload?.(config, done, total, activity));
        } catch (error) {
            if (options.signal?.aborted) return { records, interrupted: true };
            const record = configRecord(config, null, { status: "failed", error: firstLine(error) }, startedAt, new Date());
            await save(record);
            records.push(record);
            hooks.onConfigDone?.(record, index, configs.length);
            continue;
        }
        prefetch(configs[index + 1]);

        // the reference first (a child of its own, or the cache), so this config's child only reads it
        let reference: ReferenceInput | undefined;
        if (config.quality?.reference != null) {
            try {
                const got = await references.ensure(config, model, {
                    ...(options.signal != null ? { signal: options.signal } : {}),
                    onProgress: (progress) => hooks.onProgress?.(config, progress),
                    onReady: (info, computed) => hooks.onReference?.(config, info, computed)
                });
                if (got === "interrupted") return { records, interrupted: true };
                reference = got;
            } catch (error) {
                if (!(error instanceof ReferenceError)) throw error;
                const record = configRecord(config, model, { status: "failed", error: error.message }, startedAt, new Date());
                await save(record);
                records.push(record);
                hooks.onConfigDone?.(record, index, configs.length);
                continue;
            }
        }

        // what the machine was doing while the config ran: read before its child starts and after it has exited
        const loadBefore = snapshotLoad();
        const outcome = await runChild(config, model.path, {
            ...options.childOptions,
            echo: options.echo ?? false,
            ...(options.signal != null ? { signal: options.signal } : {}),
            onProgress: (progress) => hooks.onProgress?.(config, progress),
            onText: (text) => hooks.onText?.(text),
            ...(reference != null ? { reference } : {}),
            ...(index === 0 ? { startAfter: runReady } : {})
        });
        if (outcome.status === "interrupted") return { records, interrupted: true };
        const record: ConfigRecord = { ...configRecord(config, model, outcome, startedAt, new Date()), machineLoad: machineLoad(loadBefore, snapshotLoad()) };
        await save(record);
        records.push(record);
        hooks.onConfigDone?.(record, index, configs.length);
    }
    return { records, interrupted: false };
}

/**
 * Exit code for a finished run: 1 when any config failed, crashed or timed out, or when none ran at all (every
 * config skipped as not fitting); 0 when none failed and at least one ran (a config skipped beside others is
 * reported, not a failure).
 */
export function runExitCode(statuses: Iterable<ConfigStatus>): 0 | 1 {
    let ran = false;
    for (const status of statuses) {
        if (status === "failed" || status === "crashed" || status === "timeout") return 1;
        if (status === "ok") ran = true;
    }
    return ran ? 0 : 1;
}

