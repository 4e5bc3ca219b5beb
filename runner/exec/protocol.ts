/** The typed messages between the parent (runner/exec) and one child (runner/measure) over Node's IPC channel. */
import type { Config } from "../plan/types.ts";
import type { ChildResult, Phase } from "../results.ts";

export type ParentToChild =
    | { type: "start"; config: Config; modelPath: string; /** stream generated text to the parent (ad-hoc runs) */ echo: boolean }
    | { type: "stop" };

export type ChildToParent =
    | { type: "ready" }
    | { type: "progress"; phase: Phase; /** what is running, e.g. `explain rep 2/3` */ step: string; /** latest decode tokens/s, if known */ tps?: number }
    | { type: "text"; text: string }
    | { type: "result"; result: ChildResult }
    /** The config will not fit in memory (checked before loading): recorded as `skipped`. */
    | { type: "skipped"; reason: string }
    | { type: "error"; phase: Phase; message: string }
    | { type: "done" };
