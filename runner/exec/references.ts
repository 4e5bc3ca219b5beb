/**
 * The references of a run's quality passes: each computed once per (reference model, corpus, context, chunks, top K,
 * settings that change its numbers) by a child of its own, then cached under the bench cache, so later configs and
 * later runs read it instead of running the reference model again.
 */
import crypto from "node:crypto";
import path from "node:path";
import { firstLine } from "../errors.ts";
import { ReferenceReader, referenceFormat } from "../protocol/referenceFile.ts";
import { benchCacheDir } from "../paths.ts";
import type { ResolvedModel } from "../models/types.ts";
import { vocabularyMismatch, vocabularyOf } from "../models/gguf/vocabulary.ts";
import { canonicalJson } from "../plan/canonicalJson.ts";
import { autoExactVocabulary, autoTopK } from "../plan/qualityPlan.ts";
import type { Config, ModelRef, QualityPlan } from "../plan/types.ts";
import type { Phase, QualityReference } from "../results.ts";
import type { ReferenceInput } from "../protocol/protocol.ts";
import { runReferenceChild, type RunChildOptions } from "./runChild.ts";
import { makeDirSync } from "../makeDir.ts";

export interface ReferencesOptions {
    /** Folder of the cached reference files. Defaults to `<benchCacheDir()>/quality-references`. */
    cacheDir?: string;
    /** Resolves (downloads if needed) the reference model. */
    resolveModel(ref: ModelRef): Promise<ResolvedModel>;
    /** Options for the reference children (tests inject a fake child). Defaults to none. */
    childOptions?: Pick<RunChildOptions, "childEntry" | "env" | "startTimeoutMs">;
}

export interface EnsureHooks {
    signal?: AbortSignal;
    onProgress?(progress: { phase: Phase; step: string; fraction?: number }): void;
    /** Called once a reference is ready; `computed` is false when it came from the cache. */
    onReady?(reference: QualityReference, computed: boolean): void;
}

/** The reference's settings: the config's, with an unquantized KV cache (a quantized one is a loss to be measured). */
export function referenceParams(params: Config["params"]): Config["params"] {
    return { ...params, kvType: "f16" };
}

/** The cache key of a reference file: what decides its bytes. */
export function referenceKey(modelSha256: string, plan: QualityPlan, params: Config["params"]): string {
    const identity = {
        format: referenceFormat,
        model: modelSha256,
        corpus: plan.sha256,
        context: plan.context,
        chunks: plan.chunks,
        // the auto rule is part of the key, so changing the rule never reuses a file made under the old one
        topK: plan.topK === "auto" ? `auto:${autoExactVocabulary}:${autoTopK}` : plan.topK,
        kvType: referenceParams(params).kvType,
        flashAttention: params.flashAttention
    };
    return crypto.createHash("sha256").update(canonicalJson(identity)).digest("hex").slice(0, 32);
}

/** Thrown when a config's reference cannot be had: the config is recorded as failed with this one line. */
export class ReferenceError extends Error {
    override readonly name = "ReferenceError";
}

export class References {
    readonly cacheDir: string;
    readonly #options: ReferencesOptions;
    readonly #pending = new Map<string, Promise<ReferenceInput | "interrupted">>();
    /** Reference models resolved once per run (a Hub file's metadata request, a clone's header read), by spec. */
    readonly #models = new Map<string, Promise<ResolvedModel>>();

    constructor(options: ReferencesOptions) {
        this.#options = options;
        this.cacheDir = options.cacheDir ?? path.join(benchCacheDir(), "quality-references");
    }

    /**
     * The reference file `config` is compared with, computed first if it is not cached. `model` is the config's own
     * model, resolved. Throws a `ReferenceError` (vocabularies differ, the reference model failed) or resolves to
     * `interrupted` when `hooks.signal` aborted the reference child.
     */
    async ensure(config: Config, model: ResolvedModel, hooks: EnsureHooks = {}): Promise<ReferenceInput | "interrupted"> {
        const plan = config.quality;
        if (plan?.reference == null) throw new Error("ensure() needs a config with a quality reference");
        const name = plan.reference.name;
        let refModel: ResolvedModel;
        try {
            refModel = await this.#resolve(plan.reference.model);
        } catch (error) {
            throw new ReferenceError(`reference ${name}: ${firstLine(error)}`);
        }
        const [mine, theirs] = await Promise.all([vocabularyOf(model.path), vocabularyOf(refModel.path)]);
        const mismatch = vocabularyMismatch(mine, theirs, { model: model.file, reference: refModel.file });
        if (mismatch != null) throw new ReferenceError(mismatch);

        const key = referenceKey(refModel.sha256, plan, config.params);
        const file = path.join(this.cacheDir, `${key}.ref`);
        let pending = this.#pending.get(key);
        if (pending == null) {
            pending = this.#fromCacheOrChild(config, refModel, key, file, hooks);
            this.#pending.set(key, pending);
            // a failure stays cached (the same reference would fail the same way); an interruption does not
            pending.then((got) => got === "interrupted" && this.#pending.delete(key), () => undefined);
        }
        return pending;
    }

    #resolve(spec: ModelRef): Promise<ResolvedModel> {
        const key = JSON.stringify(spec);
        let model = this.#models.get(key);
        if (model == null) {
            model = this.#options.resolveModel(spec);
            this.#models.set(key, model);
            // a failure is tried again by the next config (a download may have been interrupted)
            model.catch(() => this.#models.delete(key));
        }
        return model;
    }

    async #fromCacheOrChild(config: Config, refModel: ResolvedModel, key: string, file: string, hooks: EnsureHooks): Promise<ReferenceInput | "interrupted"> {
        const plan = config.quality!;
        const name = plan.reference!.name;
        const cached = readInfo(file, name, key);
        if (cached != null) {
            hooks.onReady?.(cached, false);
            return { path: file, info: cached };
        }
        makeDirSync(this.cacheDir);
        const refConfig: Config = {
            ...config, id: `reference-${key.slice(0, 12)}`, label: `reference ${name}`, model: plan.reference!.model,
            params: referenceParams(config.params), prompts: [], tests: []
        };
        const outcome = await runReferenceChild(refConfig, refModel.path, {
            outPath: file, topK: plan.topK, model: { file: refModel.file, sha256: refModel.sha256 }
        }, {
            ...this.#options.childOptions,
            ...(hooks.signal != null ? { signal: hooks.signal } : {}),
            ...(hooks.onProgress != null ? { onProgress: hooks.onProgress } : {})
        });
        if (outcome.status === "interrupted") return "interrupted";
        if (outcome.status !== "ok") throw new ReferenceError(`reference ${name}: ${outcome.status}: ${outcome.error}`);
        const info = readInfo(file, name, key);
        if (info == null) throw new ReferenceError(`reference ${name}: the reference child finished but ${file} is not readable`);
        hooks.onReady?.(info, true);
        return { path: file, info };
    }
}

/** The reference's description from its cached file, or null when there is no usable file. */
function readInfo(file: string, name: string, key: string): QualityReference | null {
    let reader: ReferenceReader;
    try {
        reader = new ReferenceReader(file);
    } catch {
        return null;
    }
    try {
        const { header } = reader;
        return { name, file: header.model.file, sha256: header.model.sha256, topK: header.topK, cacheKey: key, cacheBytes: reader.bytes, computeMs: header.computeMs };
    } finally {
        reader.close();
    }
}

