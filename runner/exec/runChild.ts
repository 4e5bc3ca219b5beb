/** Runs one config in one forked child process and turns whatever happens to it into an outcome. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Config } from "../plan/types.ts";
import type { ChildResult, Phase } from "../results.ts";
import type { ChildToParent, ParentToChild } from "./protocol.ts";

export type ChildOutcome =
    | { status: "ok"; result: ChildResult; stderr: string }
    | { status: "failed" | "crashed" | "timeout" | "skipped"; error: string; stderr: string }
    | { status: "interrupted"; stderr: string };

export interface RunChildOptions {
    /** Milliseconds the child may take to start and say `ready`. Defaults to `120000`. */
    startTimeoutMs?: number;
    /** Milliseconds the whole config may take once started. Defaults to `config.params.timeout` seconds. */
    timeoutMs?: number;
    /** Stream generated text back (ad-hoc runs). Defaults to `false`. */
    echo?: boolean;
    /** Aborting kills the child and resolves as `interrupted`. */
    signal?: AbortSignal;
    onProgress?(progress: { phase: Phase; step: string; tps?: number }): void;
    onText?(text: string): void;
    /** Entry file of the child. Defaults to `runner/measure/child.ts`. */
    childEntry?: string;
    /** Extra environment for the child. */
    env?: NodeJS.ProcessEnv;
}

const defaultChildEntry = fileURLToPath(new URL("../measure/child.ts", import.meta.url));
const tsxLoader = import.meta.resolve("tsx");
const stderrKeepBytes = 16 * 1024;

/** Children still alive, killed if this process exits for any reason. */
const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of liveChildren) child.kill("SIGKILL");
});

export function runChild(config: Config, modelPath: string, options: RunChildOptions = {}): Promise<ChildOutcome> {
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    const timeoutMs = options.timeoutMs ?? config.params.timeout * 1000;
    const entry = options.childEntry ?? defaultChildEntry;

    return new Promise((resolve) => {
        const child = fork(entry, [], {
            execArgv: ["--import", tsxLoader],
            stdio: ["ignore", "ignore", "pipe", "ipc"],
            env: { ...process.env, ...options.env },
            serialization: "advanced"
        });
        liveChildren.add(child);

        let stderr = "";
        let phase: Phase = "idle";
        let result: ChildResult | undefined;
        let childError: string | undefined;
        let skippedReason: string | undefined;
        let forced: "timeout" | "interrupted" | undefined;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;

        child.stderr?.setEncoding("utf8");
        child.stderr?.on("data", (chunk: string) => {
            stderr = (stderr + chunk).slice(-stderrKeepBytes);
        });

        const kill = (why: "timeout" | "interrupted") => {
            if (forced == null) forced = why;
            child.kill("SIGKILL");
        };
        const arm = (ms: number, what: string) => {
            clearTimeout(timer);
            timer = setTimeout(() => {
                childError = `${what} after ${Math.round(ms / 1000)} s (phase: ${phase})`;
                kill("timeout");
            }, ms);
        };
        const onAbort = () => kill("interrupted");
        if (options.signal?.aborted) onAbort();
        options.signal?.addEventListener("abort", onAbort, { once: true });

        arm(startTimeoutMs, "no ready message from the child");

        child.on("message", (raw) => {
            const message = raw as ChildToParent;
            switch (message.type) {
                case "ready":
                    arm(timeoutMs, "timed out");
                    send(child, { type: "start", config, modelPath, echo: options.echo ?? false });
                    break;
                case "progress":
                    phase = message.phase;
                    options.onProgress?.(message);
                    break;
                case "text":
                    options.onText?.(message.text);
                    break;
                case "result":
                    result = message.result;
                    break;
                case "skipped":
                    skippedReason = message.reason;
                    break;
                case "error":
                    phase = message.phase;
                    childError = message.message;
                    break;
                case "done":
                    break;
            }
        });

        const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            liveChildren.delete(child);
            options.signal?.removeEventListener("abort", onAbort);
            const tail = stderr.trim();
            if (forced === "interrupted") resolve({ status: "interrupted", stderr: tail });
            else if (forced === "timeout") resolve({ status: "timeout", error: childError ?? "timed out", stderr: tail });
            else if (spawnError != null) resolve({ status: "crashed", error: `could not start the child: ${spawnError.message}`, stderr: tail });
            else if (skippedReason != null) resolve({ status: "skipped", error: skippedReason, stderr: tail });
            else if (result != null && code === 0) resolve({ status: "ok", result, stderr: tail });
            else if (childError != null && signal == null) resolve({ status: "failed", error: childError, stderr: tail });
            else resolve({ status: "crashed", error: describeExit(code, signal, phase, tail), stderr: tail });
        };
        child.on("exit", (code, signal) => finish(code, signal));
        child.on("error", (error) => {
            child.kill("SIGKILL");
            finish(null, null, error);
        });
    });
}

function send(child: ChildProcess, message: ParentToChild) {
    if (child.connected) child.send(message);
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, phase: Phase, stderr: string): string {
    const how = signal != null ? `killed by ${signal}` : `exited with code ${code}`;
    const lastLine = stderr.split("\n").filter((line) => line.trim() !== "").at(-1);
    return `child ${how} during ${phase}` + (lastLine != null ? `: ${lastLine.slice(0, 300)}` : "");
}
