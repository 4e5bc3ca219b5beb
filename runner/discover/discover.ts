/**
 * Found GGUF files described from their headers (architecture, parameter count, `general.name`, quant) and grouped
 * by base model, and the suite that benches them: every quant of every family, llama-bench style tests, so that
 * `npm run recommend` can answer for each family afterwards. Reads headers only; writes nothing but the suite asked for.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { parameterCount, quantOf } from "../models/localFile.ts";
import { parameterCount as shortCount, withoutQuant } from "../recommend/family.ts";
import { scanLocations, type FoundFile } from "./scan.ts";
import type { Location } from "./locations.ts";

export interface DiscoveredModel {
    file: FoundFile;
    arch: string;
    parameters: number;
    /** `general.name`, else the tool's name for it, else the file name without its quant. */
    name: string;
    quant: string;
    sizeBytes: number;
}

export interface DiscoveredFamily {
    /** `Llama 3.2 3B Instruct · llama · 3.2B` */
    title: string;
    models: DiscoveredModel[];
}

export interface Discovery {
    families: DiscoveredFamily[];
    notes: string[];
}

/** Parts of a split model after the first, and vision projectors, are not models to bench on their own. */
const laterPart = /-0*([2-9]|\d{2,})-of-\d+\.gguf$/i;

export async function discover(locations: readonly Location[]): Promise<Discovery> {
    const { files, notes } = await scanLocations(locations);
    const models: DiscoveredModel[] = [];
    for (const file of files) {
        if (laterPart.test(file.path)) continue;
        try {
            const header = await readGgufFileInfo(file.path, {
                sourceType: "filesystem", logWarnings: false,
                ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"]
            });
            const general = header.metadata.general as Record<string, unknown> | undefined;
            const arch = String(general?.architecture ?? "unknown");
            if (arch === "clip" || general?.type === "mmproj") {
                notes.push(`${file.path}: a vision projector (mmproj), not a model; skipped`);
                continue;
            }
            const quant = quantOf(header, path.basename(file.path));
            const written = typeof general?.name === "string" && general.name.trim() !== "" ? general.name.trim() : null;
            models.push({
                file, arch, parameters: parameterCount(header), quant, sizeBytes: (await stat(file.path)).size,
                name: written ?? (file.name != null ? file.name.replace(/:.*$/, "") : withoutQuant(path.basename(file.path), quant))
            });
        } catch (error) {
            notes.push(`${file.path}: not a readable GGUF file (${(error as Error).message.split("\n")[0]}); skipped`);
        }
    }
    const families = new Map<string, DiscoveredFamily>();
    for (const model of models) {
        const key = [model.arch, model.parameters, model.name].join("\u0000");
        let family = families.get(key);
        if (family == null) families.set(key, family = { title: `${model.name} · ${model.arch} · ${shortCount(model.parameters)}`, models: [] });
        family.models.push(model);
    }
    const sorted = [...families.values()].sort((a, b) => a.title.localeCompare(b.title));
    for (const family of sorted) family.models.sort((a, b) => b.sizeBytes - a.sizeBytes || a.quant.localeCompare(b.quant));
    return { families: sorted, notes };
}

/**
 * A suite that benches every discovered model by path: one `path:` entry per file (largest quant of a family first),
 * a `tg` and a `pp` test, three repetitions. Paths are written as JSON strings, which YAML reads as they are.
 */
export function discoveredSuite(discovery: Discovery, name = "discovered"): string {
    const lines = [
        "# Written by `npm run bench -- --discover --write-suite`: the GGUF files found on this machine, grouped by base model.",
        "# Run it with `npm run bench -- THIS_FILE`, then `npm run recommend` says which quant of each model to run.",
        `name: ${JSON.stringify(name)}`,
        "description: Models found on this machine, every quant of each",
        "defaults:",
        "  repetitions: 3",
        "  warmup: 1",
        "  context: 2048",
        "models:"
    ];
    for (const family of discovery.families) {
        lines.push(`  # ${family.title.replace(/[\r\n]/g, " ")}`);
        for (const model of family.models) lines.push(`  - path: ${JSON.stringify(model.file.path)}   # ${model.quant.replace(/[\r\n]/g, " ")}`);
    }
    lines.push("tests:", "  - pp: 512", "  - tg: 128", "");
    return lines.join("\n");
}
