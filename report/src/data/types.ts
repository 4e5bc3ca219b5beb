/** The shapes the report's pages read: runs and configs as loaded once at build time, summaries recomputed from raw samples. */
import type { ConfigStatus, QualityRecord, RunRecord } from "../../../runner/results.ts";
import type { StoredConfigSummary } from "../../../runner/store/siteReader.ts";

/** A run with the machine it ran on and how its configs ended. */
export interface RunView extends RunRecord {
    /** Identifies the machine across runs (`runner/store/machineKey.ts`). */
    machineKey: string;
    /** Short name of the machine for headings and legends. */
    machineName: string;
    configCount: number;
    statusCounts: Partial<Record<ConfigStatus, number>>;
}

/** One config of one run as the store reads it (no raw samples: those are read per config page), with what the report adds. */
export interface ConfigView extends Omit<StoredConfigSummary, "quality"> {
    /** The model a quant ladder groups by (see `modelFamily`). */
    family: string;
    quant: string;
    /** True for models gguf-bench wrote itself (random weights: speed and memory real, text gibberish). */
    synthetic: boolean;
    /** What the config's quality pass scored and against what; null without one. Its figures are `summaries.quality`. */
    quality: QualityFacts | null;
}

/** A quality pass as the report shows it: the record's facts, the corpus as its path and sha256, the count of positions scored. */
export interface QualityFacts extends Omit<QualityRecord, "corpus" | "positions"> {
    corpus: string;
    corpusSha256: string;
    /** Positions scored. */
    scored: number;
}

/** Everything the pages need, newest run first; configs in run order then position. */
export interface SiteData {
    /** The database the site was built from, or null when there was none (an empty site). */
    source: string | null;
    runs: RunView[];
    configs: ConfigView[];
}
