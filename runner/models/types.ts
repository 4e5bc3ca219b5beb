import type { ModelRef } from "../plan/types.ts";

/** A model ready to load: a local file and what we know about it. */
export interface ResolvedModel {
    ref: ModelRef;
    /** Where the model came from, as written in the run file. */
    source: "path" | "hf" | "synthetic";
    repo?: string;
    /** File name within the repo (hf) or base name (path, synthetic). */
    file: string;
    /** Absolute local path of the GGUF file. */
    path: string;
    sha256: string;
    sizeBytes: number;
    /** Quantization tag, e.g. `Q4_K_M` (from the file type in the GGUF header, else the file name). */
    quant: string;
    /** `general.architecture`. */
    arch: string;
    /** Parameter count, from the header (`general.parameter_count` or counted from tensor shapes). */
    parameters: number;
    /** For a synthetic clone: what it copies (`likeLabel()`); its weights are random. */
    clonedFrom?: string;
}
