import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ggmlTypeName } from "../../runner/models/gguf/ggmlTypes.ts";
import { readGgufHeader } from "../../runner/models/gguf/ggufHeader.ts";
import { fileSource } from "../../runner/models/hub/hubHeader.ts";
import type { FileTypeName } from "../../runner/models/gguf/fileTypes.ts";
import { retypeTensors } from "../../runner/models/synthetic/retype.ts";
import { archHeader, type ArchShape } from "./fixtures/archHeaders.ts";
import { namesHash, typesOfLetters } from "./fixtures/retypeGoldenCodec.ts";
import { ladderFiles, ladderModel, retypeModels } from "./fixtures/retypeModels.ts";

interface Golden {
    names: string;
    types: Record<string, string>;
}
const goldens = JSON.parse(readFileSync(new URL("./fixtures/retypeGoldens.json", import.meta.url), "utf8")) as { models: Record<string, Golden> };
const sharedModels = process.env.GGUF_BENCH_TEST_MODELS || path.resolve(import.meta.dirname, "../../../shared/models");

/** Where our types differ from the expected ones, as `name: ours ≠ expected` lines (empty when equal). */
function differences(names: readonly string[], ours: readonly string[], expected: readonly string[]): string[] {
    return names.flatMap((name, i) => (ours[i] === expected[i] ? [] : [`${name}: ${ours[i]} ≠ ${expected[i]}`]));
}

function checkAgainstGolden(shape: ArchShape, golden: Golden, fileType: string): void {
    const { metadata, tensors } = archHeader(shape);
    const retyped = retypeTensors(metadata, tensors, fileType as FileTypeName);
    const names = retyped.map((tensor) => tensor.name);
    expect(namesHash(names), "tensor order (llama-quantize writes weights_map order)").toBe(golden.names);
    const ours = retyped.map((tensor) => ggmlTypeName(tensor.type)!);
    expect(differences(names, ours, typesOfLetters(golden.types[fileType]!))).toEqual([]);
}

describe("re-typing gives every tensor the type the real llama-quantize gives it", () => {
    const ladder = goldens.models.ladder!;
    test.each(Object.keys(ladder.types))("shared 25M ladder (recorded from the real files) as %s", (fileType) => {
        checkAgainstGolden(ladderModel, ladder, fileType);
    });

    const cases = Object.entries(retypeModels).flatMap(([model, shape]) =>
        Object.keys(goldens.models[model]!.types).map((fileType) => [model, fileType, shape] as const));
    test.each(cases)("%s as %s (recorded from llama-quantize --dry-run)", (model, fileType, shape) => {
        checkAgainstGolden(shape, goldens.models[model]!, fileType);
    });

    test("every layout the rules branch on was recorded", () => {
        expect(Object.keys(goldens.models).sort()).toEqual([...Object.keys(retypeModels), "ladder"].sort());
        expect(Object.keys(ladder.types).sort()).toEqual(Object.keys(ladderFiles).sort());
    });
});

describe.runIf(existsSync(path.join(sharedModels, ladderFiles.F16)))("against the shared ladder files themselves", () => {
    test.each(Object.entries(ladderFiles))("F16 header re-typed to %s equals %s tensor for tensor", async (fileType, file) => {
        const source = await readGgufHeader(fileSource(path.join(sharedModels, ladderFiles.F16)));
        const real = await readGgufHeader(fileSource(path.join(sharedModels, file)));
        const retyped = retypeTensors(source.metadata, source.tensors, fileType as FileTypeName);
        expect(retyped.map((t) => t.name)).toEqual(real.tensors.map((t) => t.name));
        expect(differences(real.tensors.map((t) => t.name), retyped.map((t) => ggmlTypeName(t.type)!), real.tensors.map((t) => ggmlTypeName(t.type)!))).toEqual([]);
        expect(real.metadata["general.file_type"]!.value).toBe({ F16: 1, Q8_0: 7, Q6_K: 18, Q5_K_M: 17, Q4_K_M: 15, Q3_K_M: 12, Q2_K: 10 }[fileType]);
    });
});
