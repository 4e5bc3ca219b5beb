/**
 * Clones against their originals, from run files of suites/clone-fidelity.yaml (or any suite that runs a model and
 * its synthetic clone): file sizes, whether every tensor's type is equal, and for pp512 (prefill tok/s) and tg128
 * (decode tok/s) the median of each side and the median of the per-run ratios clone / original with its
 * distribution-free 95 % interval. Each run file is one interleaved round (a config's value in it: the median of its
 * repetitions), so ratios pair configs that ran seconds apart.
 *
 *   npx tsx scripts/clone-fidelity-table.ts results/runs/<run>.json ...
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { readGgufHeader } from "../runner/models/gguf/ggufHeader.ts";
import { fileSource } from "../runner/models/hub/hubHeader.ts";
import { computeStatistics } from "../runner/stats/computeStatistics.ts";
import { medianInterval } from "../runner/stats/medianInterval.ts";

interface Model { source: string; file: string; path: string; sizeBytes: number; quant: string; clonedFrom?: string }
interface Config { label: string; status: string; model: Model | null; measurements: { prompt: string; metrics: Record<string, number> }[] }

const files = process.argv.slice(2);
if (files.length === 0) throw new Error("usage: clone-fidelity-table.ts RUN_FILE.json ...");
const runs = files.map((file) => (JSON.parse(readFileSync(file, "utf8")) as { configs: Config[] }).configs.filter((c) => c.status === "ok"));

/** The original a clone is compared with: the same file, or for a re-typed clone the real file of that file type. */
function originalOf(clone: Config, configs: Config[]): Config | undefined {
    const retyped = / (\S+)$/.exec(clone.label.replace(/^synthetic clone of \S+/, ""))?.[1];
    return configs.find((c) => c.model?.source === "path" && (retyped != null ? c.model.quant === retyped : c.model.file === clone.model!.clonedFrom));
}

const median = (xs: number[]) => computeStatistics(xs).median;
/** The config's median of `metric` over its repetitions of `test` in one run. */
const value = (config: Config, test: string, metric: string): number =>
    median(config.measurements.filter((m) => m.prompt === test).map((m) => m.metrics[metric]!).filter(Number.isFinite));
const local = (p: string) => (p.startsWith("~/") ? path.join(homedir(), p.slice(2)) : path.resolve(p));

async function typesEqual(a: string, b: string): Promise<string> {
    const [x, y] = [await readGgufHeader(fileSource(local(a))), await readGgufHeader(fileSource(local(b)))];
    const same = x.tensors.length === y.tensors.length && x.tensors.every((t, i) => t.name === y.tensors[i]!.name && t.type === y.tensors[i]!.type && t.shape.join() === y.tensors[i]!.shape.join());
    return same ? `yes (${x.tensors.length})` : "NO";
}

function ratioCell(pairs: [number, number][]): string {
    const ratios = pairs.map(([o, c]) => (100 * c) / o);
    const interval = medianInterval(ratios)!;
    return `${median(ratios).toFixed(1)} % [${interval.low.toFixed(1)}–${interval.high.toFixed(1)}]`;
}

const rows: string[] = [
    `| original | clone | size (original → clone) | tensor types equal | pp512 tok/s original / clone | pp512 clone/original, median [95 % CI] | tg128 tok/s original / clone | tg128 clone/original, median [95 % CI] |`,
    "|---|---|---|---|---|---|---|---|"
];
for (const clone of runs[0]!.filter((c) => c.model?.clonedFrom != null)) {
    const original = originalOf(clone, runs[0]!);
    if (original == null) continue;
    const pp: [number, number][] = [];
    const tg: [number, number][] = [];
    for (const configs of runs) {
        const c = configs.find((x) => x.label === clone.label);
        const o = configs.find((x) => x.label === original.label);
        if (c == null || o == null) continue;
        pp.push([value(o, "pp512", "prefillTps"), value(c, "pp512", "prefillTps")]);
        tg.push([value(o, "tg128", "decodeTps"), value(c, "tg128", "decodeTps")]);
    }
    const sizeDelta = (100 * (clone.model!.sizeBytes - original.model!.sizeBytes)) / original.model!.sizeBytes;
    rows.push(`| ${original.model!.file} | ${clone.label.replace(/^synthetic /, "")} | ${original.model!.sizeBytes} → ${clone.model!.sizeBytes} (${sizeDelta >= 0 ? "+" : ""}${sizeDelta.toFixed(3)} %) | ` +
        `${await typesEqual(original.model!.path, clone.model!.path)} | ${median(pp.map((p) => p[0])).toFixed(0)} / ${median(pp.map((p) => p[1])).toFixed(0)} | ${ratioCell(pp)} | ` +
        `${median(tg.map((p) => p[0])).toFixed(0)} / ${median(tg.map((p) => p[1])).toFixed(0)} | ${ratioCell(tg)} |`);
}
console.log(rows.join("\n"));
console.log(`\n${runs.length} interleaved runs; medians of per-run values; 95 % intervals are distribution-free (order statistics).`);
