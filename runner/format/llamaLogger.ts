/**
 * A `getLlama({ logger })` for processes whose stderr is the user's terminal (`info`, `--dry-run`): llama.cpp's log
 * lines quote model metadata, so they go out through `visible`, one line each, instead of node-llama-cpp's raw
 * console logger. Measure children use their own (runner/measure/llamaLog.ts), which keeps the lines for the record.
 */
import type { LlamaLogLevel } from "node-llama-cpp";
import { visible } from "./visible.ts";

export function terminalLlamaLogger(stream: Pick<NodeJS.WriteStream, "write"> = process.stderr): (level: LlamaLogLevel, message: string) => void {
    return (level, message) => {
        const line = message.trim();
        if (line !== "") stream.write(`llama.cpp ${level}: ${visible(line)}\n`);
    };
}
