/**
 * A run in each output format: the results table `bench` prints (text), the same table in markdown with the machine
 * on top (md), and the run file itself (json). `npm run db -- show` prints any run through these.
 */
import { markdownCell, type Serializers } from "../format/serializer.ts";
import { visible, visibleLines } from "../format/visible.ts";
import { fromRunFile, type RunFile } from "../store/runFile.ts";
import { runFileText } from "../store/runFileText.ts";
import { formatResultsTable, resultsTableCells } from "./resultsTable.ts";
import { formatServingTable } from "./servingTable.ts";

/** `run 20261129-… of default · Intel Xeon, 2 cores, cpu · node-llama-cpp 3.22.1 (llama.cpp b…) · 2026-11-29T…` */
export function runHeading(file: RunFile): string {
    const { run } = file;
    const m = run.machine;
    const shard = run.shard == null ? "" : ` (shard ${run.shard.index}/${run.shard.count})`;
    return `run ${run.id} of ${run.suite.name}${shard} · ${m.cpu}, ${m.cores} cores, ${m.backend}${m.gpus.length > 0 ? ` (${m.gpus.join(", ")})` : ""}` +
        ` · node-llama-cpp ${m.nodeLlamaCpp} (llama.cpp ${m.llamaCpp}) · ${run.startedAt} · ${run.status}`;
}

export const runSerializers: Serializers<RunFile> = {
    text: (file) => {
        const configs = fromRunFile(file).configs;
        const serving = formatServingTable(configs);
        return `${visible(runHeading(file))}\n${visibleLines(formatResultsTable(configs))}\n${serving === "" ? "" : `\n${serving}\n`}`;
    },
    md: (file) => {
        const { header, rows, errors } = resultsTableCells(fromRunFile(file).configs);
        const line = (cells: string[]) => `| ${cells.map(markdownCell).join(" | ")} |`;
        return [
            `**${markdownCell(runHeading(file))}**`,
            "",
            line(header),
            `|${header.map((_, i) => (i < 3 ? " --- " : " ---: ")).join("|")}|`,
            ...rows.map(line),
            ...(errors.length > 0 ? ["", ...errors.map((error) => `- ${markdownCell(error)}`)] : []),
            ""
        ].join("\n");
    },
    json: (file) => runFileText(file)
};
