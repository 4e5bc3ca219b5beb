/** Runs one config in one forked child process and turns whatever happens to it into an outcome. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Config } from "../plan/types.ts";
import type { ChildResult, Phase } from "../results.ts";
import type { ChildToParent, ParentToChild, ReferenceDone, ReferenceInput, ReferenceJob } from "../protocol/protocol.ts";
import { bundleEntry } from "./childBundle.ts";

export type ChildOutcome<R = ChildResult> = (
    | { status: "ok"; result: R; stderr: string }
    | { status: "failed" | "crashed" | "timeout" | "skipped"; error: string; stderr: string }
    | { status: "interrupted"; stderr: string }
) & {
    /** ms from fork to the child's `ready` (Node start, node-llama-cpp import, backend load); absent if it never got there. */
    startMs?: number;
};

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
    /** TypeScript entry file of the child, bundled like the default (see childBundle.ts). Defaults to `runner/measure/child.ts`. */
    childEntry?: string;
    /** Extra environment for the child. */
    env?: NodeJS.ProcessEnv;
    /**
     * Harness work running beside this child's start (the run's machine probe). The child is told to start only
     * once it settles, so that work never runs beside the model; a rejection kills the child, and the outcome is
     * `failed` with its message.
     */
    startAfter?: Promise<unknown>;
    /** The cached reference the config's quality pass compares with. Defaults to none. */
    reference?: ReferenceInput;
}

const defaultChildEntry = fileURLToPath(new URL("../measure/child.ts", import.meta.url));
const stderrKeepBytes = 16 * 1024;

/** Children still alive, killed if this process exits for any reason. */
const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of liveChildren) child.kill("SIGKILL");
});

/**
 * What a measure child's environment adds to this one's: libuv's pool at one thread unless `UV_THREADPOOL_SIZE` is
 * set. node-llama-cpp runs each `llama_decode` on a libuv pool thread; with the default four, consecutive decodes land
 * on different threads, and at two threads on the project's 2-vCPU machine that halved decode speed with either
 * binary (OpenMP teams, or ggml's per-graph threads, started anew on each): 360M Q4_K_M tg128 at t=2, prebuilt
 * 52–58 → 103–106 tok/s, local build 90–110 → 118–142, llama-bench 123–150 in the same rounds (docs/engine.md).
 * The child runs one decode at a time, so one pool thread takes nothing from it. Recorded per config as
 * `engine.uvThreadpoolSize`.
 */
export function measureChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return env.UV_THREADPOOL_SIZE != null ? {} : { UV_THREADPOOL_SIZE: "1" };
}

/** Measures `config` in a child: the ok outcome carries what it measured. */
export function runChild(config: Config, modelPath: string, options: RunChildOptions = {}): Promise<ChildOutcome> {
    const start: ParentToChild = {
        type: "start", config, modelPath, echo: options.echo ?? false, ...(options.reference != null ? { reference: options.reference } : {})
    };
    return forkChild<ChildResult>(config, start, options);
}

/** Computes the reference file `job` asks for, with the model at `modelPath`, in a child of its own. */
export function runReferenceChild(config: Config, modelPath: string, job: ReferenceJob, options: RunChildOptions = {}): Promise<ChildOutcome<ReferenceDone>> {
    return forkChild<ReferenceDone>(config, { type: "reference", config, modelPath, job }, options);
}

async function forkChild<R>(config: Config, startMessage: ParentToChild, options: RunChildOptions): Promise<ChildOutcome<R>> {
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    const timeoutMs = options.timeoutMs ?? config.params.timeout * 1000;
    // handled here, where it is received: it may reject before the child is ready (or before it is even forked),
    // and a rejection nobody listens to yet would end the process
    const gate = options.startAfter?.then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) })
    );

    // plain node on a prebuilt bundle, not tsx: ~0.9 s less start per config (measured; see childBundle.ts)
    const entry = options.childEntry ?? defaultChildEntry;
    let bundle: string;
    try {
        bundle = await bundleEntry(entry);
    } catch (error) {
        return { status: "failed", error: error instanceof Error ? error.message : String(error), stderr: "" };
    }

    return new Promise((resolveOutcome) => {
        let startMs: number | undefined;
        const resolve = (outcome: ChildOutcome<R>) => resolveOutcome(startMs == null ? outcome : { ...outcome, startMs });
        const forkedAt = performance.now();
        // the TS entry as an (unused) argument: `ps` then names it, not just a hashed bundle (test/model/cliHarness.ts
        // finds the measure children by it)
        // --gpu, --engine: the child starts that backend before `ready`, so fork → ready is the whole child start
        const child = fork(bundle, [entry, `--gpu=${String(config.params.gpu)}`, `--engine=${config.params.engine}`], {
            // none, and explicitly so: fork would pass on this process's tsx loader. Not --enable-source-maps either: it
            // costs 0.13-0.26 s per child (node then reads every node-llama-cpp .js.map, in getLlama's test subprocess
            // too); set NODE_OPTIONS=--enable-source-maps to get the bundle's inline maps in stacks when debugging
            execArgv: [],
            stdio: ["ignore", "ignore", "pipe", "ipc"],
            env: { ...process.env, ...measureChildEnv(process.env), ...options.env },
            serialization: "advanced"
        });
        liveChildren.add(child);

        let stderr = "";
        let phase: Phase = "idle";
        let result: R | undefined;
        let childError: string | undefined;
        let skippedReason: string | undefined;
        let forced: "timeout" | "interrupted" | undefined;
        let notStarted: string | undefined;
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
                case "ready": {
                    startMs = performance.now() - forkedAt;
                    const start = () => {
                        if (settled || forced != null) return;
                        arm(timeoutMs, "timed out");
                        send(child, startMessage);
                    };
                    if (gate == null) start();
                    else {
                        // waiting on the parent's own work is no fault of the child's: no start timeout meanwhile
                        clearTimeout(timer);
                        void gate.then((settled) => {
                            if (settled.ok) return start();
                            notStarted = settled.reason;
                            child.kill("SIGKILL");
                        });
                    }
                    break;
                }
                case "progress":
                    phase = message.phase;
                    options.onProgress?.(message);
                    break;
                case "text":
                    options.onText?.(message.text);
                    break;
                case "result":
                    result = message.result as R;
                    break;
                case "referenceDone":
                    result = message.done as R;
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
            else if (notStarted != null) resolve({ status: "failed", error: `not started: ${notStarted}`, stderr: tail });
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
