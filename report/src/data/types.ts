/** The shapes the report's pages read: runs and configs as loaded once at build time, summaries recomputed from raw samples. */
import type { ConfigStatus, ModelInfo, QualityReference, RunRecord, Summaries } from "../../../runner/results.ts";
import type { ParallelTest, Settings } from "../../../runner/suite/types.ts";

/** A run with the machine it ran on and how its configs ended. */
export interface RunView extends RunRecord {
    /** Identifies the machine across runs (`runner/store/machineKey.ts`). */
    machineKey: string;
    /** Short name of the machine for headings and legends. */
    machineName: string;
    configCount: number;
    statusCounts: Partial<Record<ConfigStatus, number>>;
}

/** One config of one run, with summaries of its repetitions (no raw samples: those are read per config page). */
export interface ConfigView {
    runId: string;
    id: string;
    /** Order of first save within the run. */
    position: number;
    label: string;
    status: ConfigStatus;
    error: string | null;
    model: ModelInfo | null;
    params: Settings;
    loadMs: number | null;
    peakRssBytes: number | null;
    vramBytes: number | null;
    /** Null for a config imported from a schema-1 run file, which did not record it. */
    startedAt: string | null;
    /** Prompt or test id → metric → Summary, from the raw samples. */
    summaries: Summaries;
    /** Prompt and test ids in the order they were measured. */
    prompts: string[];
    /** The model a quant ladder groups by (see `modelFamily`). */
    family: string;
    quant: string;
    /** True for models gguf-bench wrote itself (random weights: speed and memory real, text gibberish). */
    synthetic: boolean;
    /** What the config's quality pass scored and against what; null without one. Its figures are `summaries.quality`. */
    quality: QualityFacts | null;
    /** The config's parallel (serving-load) tests as asked; their levels' figures are `summaries["np4:…"]`; absent or empty without any. */
    parallel?: ParallelTest[];
}

export interface QualityFacts {
    corpus: string;
    corpusSha256: string;
    context: number;
    chunks: number;
    corpusTokens: number;
    /** Positions scored. */
    scored: number;
    reference: QualityReference | null;
    ms: number;
    peakRssBytes: number;
}

/** Everything the pages need, newest run first; configs in run order then position. */
export interface SiteData {
    /** The database the site was built from, or null when there was none (an empty site). */
    source: string | null;
    runs: RunView[];
    configs: ConfigView[];
}
