/**
 * Before anything runs: a quality pass that cannot work with the models as they are on disk is refused (exit 2) —
 * a context longer than a model was trained on, or a reference whose vocabulary differs from the model's. Only local
 * files (`path` models and references) and synthetic shapes are known this early; Hub models are checked once
 * downloaded (runner/exec/references.ts), and every model again in its child against the tokens it scores.
 */
import path from "node:path";
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import type { Config, ModelRef } from "../plan/types.ts";
import { syntheticPresets, type SyntheticPreset } from "../suite/syntheticPresets.ts";
import { vocabularyMismatch, vocabularyOf } from "./gguf/vocabulary.ts";

export async function checkQualityModels(suitePath: string, configs: readonly Config[]): Promise<void> {
    const where = visible(suitePath);
    for (const config of configs) {
        const quality = config.quality;
        if (quality == null) continue;
        for (const [ref, what] of [[config.model, "the model"], ...(quality.reference != null ? [[quality.reference.model, "the reference"]] : [])] as [ModelRef, string][]) {
            const trained = await trainedContext(ref);
            if (trained != null && quality.context > trained)
                throw new InputError(`${where}: quality.context: expected at most ${trained}, the context ${what} ${visible(nameOf(ref))} was trained on, got \`${quality.context}\``);
        }
        if (quality.reference?.model.source === "path" && config.model.source === "path") {
            const [mine, theirs] = await Promise.all([vocabularyOf(config.model.path), vocabularyOf(quality.reference.model.path)]);
            const mismatch = vocabularyMismatch(mine, theirs, { model: path.basename(config.model.path), reference: path.basename(quality.reference.model.path) });
            if (mismatch != null) throw new InputError(`${where}: quality.reference: ${visible(mismatch)}`);
        }
    }
}

async function trainedContext(ref: ModelRef): Promise<number | null> {
    // a clone's header is read when it is written: its trained context is checked in the child
    if (ref.source === "synthetic") return "like" in ref ? null : syntheticPresets[ref.preset as SyntheticPreset]?.contextLength ?? null;
    if (ref.source === "path") return (await vocabularyOf(ref.path)).trainedContext;
    return null;
}

function nameOf(ref: ModelRef): string {
    if (ref.source === "path") return path.basename(ref.path);
    if (ref.source === "synthetic") return "like" in ref ? "synthetic clone" : `synthetic ${ref.preset}`;
    return "file" in ref ? ref.file : `${ref.repo} ${ref.quant}`;
}
