/**
 * The one mapping of a suite's `kvType` to node-llama-cpp's GgmlType (estimates in plan/fit.ts, the context in
 * measure/openModel.ts). A file of its own so the child imports it without fit.ts, whose in-memory GGUF reading
 * (ggufBuffer.ts) resolves node-llama-cpp's files from its own location, which a bundled child must not do.
 */
import { GgmlType } from "node-llama-cpp";
import type { KvType } from "../suite/types.ts";

export function kvGgmlType(kvType: KvType): GgmlType {
    const key = kvType.toUpperCase() as keyof typeof GgmlType;
    const type = GgmlType[key];
    if (typeof type !== "number") throw new Error(`Unknown KV cache type \`${kvType}\``);
    return type;
}
