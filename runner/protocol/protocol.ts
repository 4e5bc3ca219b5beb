/** The typed messages between the parent (runner/exec) and one child (runner/measure) over Node's IPC channel. */
import type { Config } from "../plan/types.ts";
import type { ReferenceHeader } from "./referenceFile.ts";
import type { ChildResult, Phase, QualityReference } from "../results.ts";

/** The cached reference a config's quality pass compares with. */
export interface ReferenceInput {
    /** The reference file (see runner/protocol/referenceFile.ts). */
    path: string;
    info: QualityReference;
}

/** What a reference child computes: the reference file of `config.quality` for the model it is given. */
export interface ReferenceJob {
    /** Where the file goes (written to a temporary file, then renamed). */
    outPath: string;
    /** Tokens kept per position, or `all`, or `auto` (decided on the model's vocabulary size). */
    topK: number | "all" | "auto";
    model: ReferenceHeader["model"];
}

/** A finished reference file: its header and size. */
export interface ReferenceDone {
    header: ReferenceHeader;
    bytes: number;
}

export type ParentToChild =
    | {
        type: "start"; config: Config; modelPath: string; /** stream generated text to the parent (ad-hoc runs) */ echo: boolean;
        /** The cached reference of `config.quality`, when it has one. */ reference?: ReferenceInput;
    }
    | { type: "reference"; config: Config; modelPath: string; job: ReferenceJob }
    | { type: "stop" };

export type ChildToParent =
    | { type: "ready" }
    | {
        type: "progress"; phase: Phase; /** what is running, e.g. `explain rep 2/3` */ step: string; /** latest decode tokens/s, if known */ tps?: number;
        /** share of the config's runs and quality chunks done, 0 to 1 */ fraction?: number;
    }
    | { type: "text"; text: string }
    | { type: "result"; result: ChildResult }
    | { type: "referenceDone"; done: ReferenceDone }
    /** The config will not fit in memory (checked before loading): recorded as `skipped`. */
    | { type: "skipped"; reason: string }
    | { type: "error"; phase: Phase; message: string }
    | { type: "done" };
