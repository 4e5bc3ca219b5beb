import type { ModelRef } from "../plan/types.ts";
import type { ModelInfo } from "../results.ts";

/** A model ready to load: a local file and what we know about it (the record's ModelInfo), and what the suite asked for. */
export interface ResolvedModel extends ModelInfo {
    ref: ModelRef;
}
