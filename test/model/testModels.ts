/**
 * The GGUF files the model tests run on. With ../shared/models (or `GGUF_BENCH_TEST_MODELS`) holding the real files,
 * those; otherwise synthetic models the project writes itself (runner/models/synthetic/synthetic.ts), cached under
 * `.cache/test-models` so they are written once and reused by every test file and later runs. A variable that points
 * at a missing folder, or a folder without the files, counts as "absent": the tests then run on synthetic models
 * instead of skipping.
 *
 * Assertions that hold only for a particular real file (stories260K's English, exact quant names such as Q4_K_M)
 * check `models.real` first; everything else runs either way.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSyntheticModel } from "../../runner/models/synthetic/synthetic.ts";
import type { SyntheticPreset, SyntheticQuant } from "../../runner/suite/syntheticPresets.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where real models are looked for (whether or not that folder exists). */
export const realModelsDir = process.env.GGUF_BENCH_TEST_MODELS || path.resolve(projectRoot, "../shared/models");

/** Where the synthetic stand-ins are written (git-ignored). */
export const syntheticTestModelsDir = path.join(projectRoot, ".cache", "test-models");

/** Seed of every synthetic stand-in (the suites' default seed). */
export const syntheticSeed = 42;

export interface TestModel {
    path: string;
    /** The quant the runner reads from the file's header (`Q4_K_M`, `Q4_0`, …). */
    quant: string;
}

export interface TestModels {
    /** true: the real files of `realModelsDir`; false: synthetic stand-ins. */
    real: boolean;
    /** A tiny model (a few hundred K parameters): stories260K.gguf, else synthetic `tiny` F32. */
    tiny: TestModel;
    /** A ~25M-parameter quantized model: synthetic-llama-25m-q4_k_m.gguf, else synthetic `small` Q4_0. */
    small: TestModel;
    /** Another quant of the same ~25M shape: synthetic-llama-25m-q2_k.gguf, else synthetic `small` Q8_0. */
    smallAlt: TestModel;
}

const realFiles = {
    tiny: { file: "stories260K.gguf", quant: "F32" },
    small: { file: "synthetic-llama-25m-q4_k_m.gguf", quant: "Q4_K_M" },
    smallAlt: { file: "synthetic-llama-25m-q2_k.gguf", quant: "Q2_K" }
} as const;

const syntheticSpecs: Record<keyof typeof realFiles, { preset: SyntheticPreset; quant: SyntheticQuant }> = {
    tiny: { preset: "tiny", quant: "F32" },
    small: { preset: "small", quant: "Q4_0" },
    smallAlt: { preset: "small", quant: "Q8_0" }
};

function isFile(file: string): boolean {
    try {
        return statSync(file).isFile();
    } catch {
        return false;
    }
}

/** The real file `name` under `realModelsDir`, or undefined when the folder or the file is missing. */
export function realModel(name: string): string | undefined {
    const file = path.join(realModelsDir, name);
    return existsSync(realModelsDir) && isFile(file) ? file : undefined;
}

/** True when every real file the model tests use is present. */
export const haveRealModels = Object.values(realFiles).every(({ file }) => realModel(file) != null);

type Role = keyof typeof realFiles;
const written = new Map<Role, Promise<TestModel>>();

/** The synthetic stand-in for `role`, written on first use (then cached on disk for later runs). */
export function syntheticModel(role: Role): Promise<TestModel> {
    let model = written.get(role);
    if (model == null) {
        const spec = syntheticSpecs[role];
        model = ensureSyntheticModel({ ...spec, seed: syntheticSeed }, syntheticTestModelsDir).then((file) => ({ path: file, quant: spec.quant }));
        written.set(role, model);
    }
    return model;
}

/** Every synthetic stand-in, written one at a time (the machine may have few cores). */
export async function syntheticModels(): Promise<Omit<TestModels, "real">> {
    const tiny = await syntheticModel("tiny");
    const small = await syntheticModel("small");
    const smallAlt = await syntheticModel("smallAlt");
    return { tiny, small, smallAlt };
}

/** The models of this test run: the real ones when all are present, else the synthetic stand-ins. */
export async function testModels(): Promise<TestModels> {
    if (haveRealModels) {
        const pick = (role: Role): TestModel => ({ path: realModel(realFiles[role].file)!, quant: realFiles[role].quant });
        return { real: true, tiny: pick("tiny"), small: pick("small"), smallAlt: pick("smallAlt") };
    }
    return { real: false, ...(await syntheticModels()) };
}

/** `text` as a literal inside a RegExp. */
export function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
