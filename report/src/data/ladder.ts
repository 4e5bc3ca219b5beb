/** Quant ladders: per model (and per swept setting), each quant's speed with its spread, its peak RSS and file size. */
import { figure, headlinePrompt, type Figure } from "./figures.ts";
import { settingsText, variedSettings } from "./sections.ts";
import type { ConfigView } from "./types.ts";

export interface LadderStep {
    config: ConfigView;
    quant: string;
    /** The swept settings of the config (`threads=1`), `""` when nothing was swept. */
    settings: string;
    speeds: { metric: string; prompt: string; value: Figure }[];
    peakRssBytes: number | null;
    sizeBytes: number | null;
}

export interface Ladder {
    family: string;
    synthetic: boolean;
    /** Steps from the largest file to the smallest. */
    steps: LadderStep[];
}

export const ladderSpeeds = ["decodeTps", "prefillTps"] as const;

/** One ladder per model family among `configs` (ok configs only), families in first-seen order. */
export function ladders(configs: readonly ConfigView[]): Ladder[] {
    const ok = configs.filter((config) => config.status === "ok");
    const prompts = ladderSpeeds.map((metric) => [metric, headlinePrompt(ok, metric)] as const);
    const swept = variedSettings(ok);
    const byFamily = new Map<string, Ladder>();
    for (const config of ok) {
        let ladder = byFamily.get(config.family);
        if (ladder == null) byFamily.set(config.family, ladder = { family: config.family, synthetic: config.synthetic, steps: [] });
        ladder.steps.push({
            config, quant: config.quant, settings: settingsText(config, swept),
            speeds: prompts.flatMap(([metric, prompt]) => {
                const value = prompt == null ? null : figure(config, metric, prompt);
                return value == null || prompt == null ? [] : [{ metric, prompt, value }];
            }),
            peakRssBytes: config.peakRssBytes,
            sizeBytes: config.model?.sizeBytes ?? null
        });
    }
    for (const ladder of byFamily.values())
        ladder.steps.sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0) || a.config.position - b.config.position);
    return [...byFamily.values()];
}
