/**
 * The overview's first block: for each summary section (the newest run of each suite on each machine), which quant
 * of each model family to run, with the default constraints (runner/recommend). The build machine is not the
 * measured one, so the memory budget is each machine's recorded total RAM; `npm run recommend` on the machine
 * itself budgets with what it has free.
 */
import { defaultConstraints, type RecommendConstraints } from "../../../runner/recommend/constraints.ts";
import { memoryBudgetOf } from "../../../runner/recommend/memoryBudget.ts";
import { recommend, type FamilyAnswer } from "../../../runner/recommend/recommend.ts";
import type { RunRecord, ConfigRecord } from "../../../runner/results.ts";
import type { Section } from "./sections.ts";

export interface SectionRecommendation {
    /** The section's suite name. */
    suite: string;
    /** Its runs' ids. */
    runIds: string[];
    answers: FamilyAnswer[];
}

export interface Recommendations {
    constraints: RecommendConstraints;
    sections: SectionRecommendation[];
}

/** `readRun`: one whole run by id (runner/store/siteReader.ts `readRun`), null when absent. */
export function recommendations(readRun: (runId: string) => { run: RunRecord; configs: ConfigRecord[] } | null, sections: readonly Section[]): Recommendations {
    const budgetOf = memoryBudgetOf(null, null);
    return {
        constraints: defaultConstraints,
        sections: sections.map((section) => {
            const runs = section.runs.flatMap((run) => {
                const saved = readRun(run.id);
                return saved == null ? [] : [saved];
            });
            return { suite: section.runs[0]!.suite.name, runIds: section.runs.map((run) => run.id), answers: recommend(runs, defaultConstraints, budgetOf).answers };
        })
    };
}
