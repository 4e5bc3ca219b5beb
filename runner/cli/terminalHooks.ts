/**
 * How a running suite shows on the terminal: the progress line on stderr, or in an ad-hoc run the answer streamed
 * to stdout. Everything the model writes goes through `visibleLines`, so its output cannot move the cursor,
 * retitle the window or clear the screen.
 */
import type { SuiteRunHooks } from "../run/runSuite.ts";
import { visibleLines } from "../format/visible.ts";
import type { ProgressLine } from "./progress.ts";

export function terminalHooks(adhoc: boolean, progress: ProgressLine, stdout: Pick<NodeJS.WriteStream, "write"> = process.stdout): SuiteRunHooks {
    return {
        onConfigStart: (config, index, total) => (adhoc ? undefined : progress.configStart(config, index, total)),
        onProgress: (_, p) => (adhoc ? undefined : progress.progress(p)),
        onDownload: (_, done, total, activity) => progress.download(done, total, activity),
        onText: (text) => void stdout.write(visibleLines(text)),
        onConfigDone: (record) => (adhoc ? void stdout.write("\n") : progress.configDone(record))
    };
}
