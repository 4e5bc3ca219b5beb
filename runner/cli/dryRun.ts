/** `bench --dry-run`: the plan, each model's size and node-llama-cpp's memory estimate; nothing is measured, stored or written. */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { terminalLlamaLogger } from "../format/llamaLogger.ts";
import type { Config } from "../plan/types.ts";
import { configFit, parallelLevelsFit } from "../plan/configFit.ts";
import type { MemoryEstimate } from "../plan/fit.ts";
import { readGgufBuffer } from "../plan/ggufBuffer.ts";
import { formatBytes } from "../format/bytes.ts";
import type { GpuBackend } from "../suite/types.ts";
import type { ModelSources } from "./modelSources.ts";
import { renderTable } from "../format/table.ts";
import { probeMachineDetails } from "../exec/probeMachine.ts";

export async function printDryRun(configs: Config[], sources: ModelSources): Promise<void> {
    const llamas = new Map<string, Promise<Llama>>();
    const llamaFor = (gpu: GpuBackend) => {
        const key = String(gpu);
        if (!llamas.has(key)) llamas.set(key, getLlama({ gpu: gpu === false ? false : gpu, build: "never", logLevel: LlamaLogLevel.error, logger: terminalLlamaLogger() }));
        return llamas.get(key)!;
    };
    // what each config's child holds before its model: node-llama-cpp and its backend loaded (the probe child, run as those are)
    const runtime = configs.length === 0 ? null
        : await probeMachineDetails(configs[0]!.params.gpu).then(({ details }) => details.runtimeRssBytes ?? null, () => null);
    const rows: string[][] = [["config", "id", "model file", "size", "est. RAM", "est. VRAM", "est. peak RSS", "plan"]];
    for (const config of configs) {
        const file = await sources.fileOf(config.model).catch(() => config.model);
        if (file.source === "hf") {
            // not downloaded by a dry run: the estimate needs the file's header
            rows.push([config.label, config.id, "file" in file ? file.file : `${file.quant} (unresolved: offline?)`, "", "", "", "", "run (estimate after download)"]);
            continue;
        }
        try {
            // a synthetic model or clone is estimated from its header, built in memory: a dry run writes nothing
            const model = await sources.headerOf(file);
            const header = typeof model.header === "string" ? model.header : await readGgufBuffer(model.header);
            const llama = await llamaFor(config.params.gpu);
            const { estimate: single, fit } = await configFit(header, config.params, llama);
            const levels = (config.parallel ?? []).flatMap((test) => test.sequences);
            // a config with parallel tests peaks at its largest level that fits: the model and that level's context
            const parallel = fit.fits && levels.length > 0 ? await parallelLevelsFit(header, config.params, llama, levels) : null;
            const estimate = larger(single, parallel?.largest?.estimate);
            const plan = !fit.fits ? `skip: ${fit.reason}`
                : parallel == null ? "run"
                : [parallel.largest == null ? "run" : `run, parallel up to ${parallel.largest.sequences} sequences`,
                    ...(parallel.skipped == null ? [] : [`${parallel.largest == null ? "every parallel level skips" : `levels ${parallel.skipped.levels.join(", ")} skip`}: ${parallel.skipped.reason}`])].join("; ");
            rows.push([
                config.label, config.id, model.file, formatBytes(model.sizeBytes), formatBytes(estimate.totalRamBytes),
                formatBytes(estimate.totalVramBytes), runtime == null ? "" : formatBytes(runtime + estimate.totalRamBytes), plan
            ]);
        } catch (error) {
            rows.push([config.label, config.id, "", "", "", "", "", `fails: ${(error as Error).message.split("\n")[0]}`]);
        }
    }
    console.log(renderTable(rows));
    console.log(`${configs.length} config(s); nothing was run or stored`);
    console.log("est. RAM: model, context and weights the CPU backend repacks (node-llama-cpp's GGUF estimate, plan/repack.ts); est. peak RSS adds " +
        (runtime == null ? "the runtime, which could not be measured here" : `${formatBytes(runtime)}, measured just now in a child that loaded node-llama-cpp and its backend but no model`) +
        ", as each config's child holds before its model (estimates, not measurements). A config with parallel tests is " +
        "estimated at its largest level that fits: the model and one context of that many sequences, the most its child holds at once");
    for (const llama of llamas.values()) await (await llama).dispose();
}

/** The estimate that needs more memory (RAM and VRAM together). */
function larger(a: MemoryEstimate, b: MemoryEstimate | undefined): MemoryEstimate {
    return b != null && b.totalRamBytes + b.totalVramBytes > a.totalRamBytes + a.totalVramBytes ? b : a;
}
