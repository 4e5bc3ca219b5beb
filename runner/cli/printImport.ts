/** What an import of run files did, for `db import`, `db rebuild` and `report`: one line on stdout, notes on stderr. */
import { visible } from "../format/visible.ts";
import type { ImportPlan } from "../store/importRuns.ts";

/** `imported 2 run(s) (9 config(s)) into results/bench.db; 1 already there with the same content`, then notes per file. */
export function printImport(plan: ImportPlan, where: string): void {
    const configs = plan.add.reduce((sum, read) => sum + read.file.configs.length, 0);
    console.log(`imported ${plan.add.length} run(s) (${configs} config(s)) ${visible(where)}` +
        (plan.same.length > 0 ? `; ${plan.same.length} already there with the same content` : ""));
    for (const read of plan.add) {
        if (read.ignored.length > 0)
            console.error(`note: ${visible(read.path)}: ignored ${read.ignored.length} key(s) this gguf-bench does not know (written by a newer one?): ${read.ignored.slice(0, 5).map(visible).join(", ")}${read.ignored.length > 5 ? ", …" : ""}`);
        if (read.schema === 1)
            console.error(`note: ${visible(read.path)}: schema 1 holds no token times, RSS timeline or stderr; those stay empty for run ${visible(read.file.run.id)}`);
    }
}
