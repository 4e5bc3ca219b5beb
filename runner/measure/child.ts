/**
 * The child process of one config (forked by runner/exec as plain node on an esbuild bundle of this file, see
 * runner/exec/childBundle.ts):
 * ready → start → progress/text… → result → done, then exit 0; on failure one `error` message and exit 1;
 * on `stop` or a lost parent, exit at once.
 */
import type { ChildToParent, ParentToChild } from "../protocol/protocol.ts";
import type { Phase } from "../results.ts";
import { measureConfig } from "./measureConfig.ts";
import { measureReference } from "./measureReference.ts";
import { prepareBackend } from "./openModel.ts";
import { parseGpuBackend } from "../suite/types.ts";
import { WillNotFitError } from "../plan/configFit.ts";

if (process.send == null) {
    process.stderr.write("runner/measure/child.ts must be started by runner/exec with an IPC channel\n");
    process.exit(2);
}

let phase: Phase = "idle";
let started = false;

function send(message: ChildToParent): Promise<void> {
    return new Promise((resolve) => {
        if (!process.connected) return resolve();
        process.send!(message, undefined, undefined, () => resolve());
    });
}

/** One line: llama.cpp's reason is already inside the message (see llamaLog.ts). */
function oneLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}

async function run(message: Extract<ParentToChild, { type: "start" | "reference" }>): Promise<void> {
    const onProgress = (progress: { phase: Phase; step: string; tps?: number; fraction?: number }) => {
        phase = progress.phase;
        void send({ type: "progress", ...progress } satisfies ChildToParent);
    };
    try {
        if (message.type === "reference") {
            const done = await measureReference(message.config, message.modelPath, message.job, { onProgress });
            await send({ type: "referenceDone", done } satisfies ChildToParent);
        } else {
            const result = await measureConfig(message.config, message.modelPath, {
                onProgress,
                ...(message.echo ? { onText: (text: string) => void send({ type: "text", text } satisfies ChildToParent) } : {})
            }, message.reference);
            await send({ type: "result", result } satisfies ChildToParent);
        }
        await send({ type: "done" } satisfies ChildToParent);
        process.exit(0);
    } catch (error) {
        if (error instanceof WillNotFitError) {
            await send({ type: "skipped", reason: error.message } satisfies ChildToParent);
            process.exit(0);
        }
        await send({ type: "error", phase, message: oneLine(error) } satisfies ChildToParent);
        process.exit(1);
    }
}

process.on("message", (message: ParentToChild) => {
    if (message.type === "stop") process.exit(0);
    if ((message.type === "start" || message.type === "reference") && !started) {
        started = true;
        void run(message);
    }
});
process.on("disconnect", () => process.exit(0));
process.on("unhandledRejection", (reason) => {
    void send({ type: "error", phase, message: oneLine(reason) } satisfies ChildToParent).then(() => process.exit(1));
});

// runChild passes the config's backend setting as `--gpu=<value>`: start it before `ready` (see prepareBackend)
const gpuArgument = process.argv.find((arg) => arg.startsWith("--gpu="))?.slice("--gpu=".length);
const backend = gpuArgument == null ? undefined : parseGpuBackend(gpuArgument);
if (backend !== undefined) await prepareBackend(backend);
void send({ type: "ready" } satisfies ChildToParent);
