/** The recommendation `bench` prints after its tables: the run just measured, under the suite's `recommend:` block. */
import type { ConfigRecord, RunRecord } from "../results.ts";
import type { Suite } from "../suite/types.ts";
import { defaultConstraints, resolveConstraints } from "../recommend/constraints.ts";
import { memoryBudgetOf } from "../recommend/memoryBudget.ts";
import { recommend } from "../recommend/recommend.ts";
import { recommendSerializers } from "../recommend/recommendSerializers.ts";
import type { LocalMemoryProbe } from "./commands/recommend.ts";

/** The text to print, or null when no config ran to the end (nothing to choose from). */
export async function benchRecommendation(saved: { run: RunRecord; configs: ConfigRecord[] }, suite: Suite, probe: LocalMemoryProbe): Promise<string | null> {
    if (!saved.configs.some((config) => config.status === "ok")) return null;
    // the block was checked when the suite was parsed
    const constraints = resolveConstraints(suite.recommend ?? {}, defaultConstraints, (key) => `recommend.${key}`);
    const local = constraints.memoryBytes == null ? await probe() : null;
    return recommendSerializers.text(recommend([saved], constraints, memoryBudgetOf(constraints.memoryBytes, local)));
}
