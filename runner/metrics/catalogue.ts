/**
 * The one catalogue of metrics: name, label, unit, which direction is better, how to format it. The CLI table,
 * warnings, compare and the report read it from here; a metric missing from it is shown raw and never judged.
 */
import { formatBytes } from "../format/bytes.ts";

/** Which way is better: `higher` (tok/s, agreement), `lower` (ms, bytes, perplexity, divergence), or `none` (counts, settings). */
export type Direction = "higher" | "lower" | "none";

/** What a metric measures, for grouping in tables and charts. */
export type MetricGroup = "speed" | "latency" | "memory" | "count" | "quality";

export interface MetricDef {
    /** The name in run files, the database and `--metric`, e.g. `decodeTps`. */
    name: string;
    /** Short label for table headers and chart axes, e.g. `decode`. */
    label: string;
    /** Unit as shown after the value: `tok/s`, `ms`, `bytes`, `tokens`, `%`, `nats`, or `""` for a plain number. */
    unit: string;
    better: Direction;
    group: MetricGroup;
    /** Decimals shown (bytes are formatted in binary units instead). */
    digits: number;
    /** One sentence: what it is, as docs/metrics.md defines it. */
    description: string;
    /**
     * A quality figure quants are ranked on, shown in the report's headline tables and trade-off charts (the rest are
     * on each config's page and in compare). Defaults to `false`.
     */
    headline?: boolean;
}

const speed = (name: string, label: string, description: string): MetricDef =>
    ({ name, label, unit: "tok/s", better: "higher", group: "speed", digits: 1, description });
const latency = (name: string, label: string, digits: number, description: string): MetricDef =>
    ({ name, label, unit: "ms", better: "lower", group: "latency", digits, description });
const count = (name: string, label: string, description: string): MetricDef =>
    ({ name, label, unit: "tokens", better: "none", group: "count", digits: 0, description });
const memory = (name: string, label: string, description: string): MetricDef =>
    ({ name, label, unit: "bytes", better: "lower", group: "memory", digits: 0, description });
const quality = (name: string, label: string, unit: string, better: Direction, digits: number, description: string, headline = false): MetricDef =>
    ({ name, label, unit, better, group: "quality", digits, description, ...(headline ? { headline } : {}) });

const definitions: readonly MetricDef[] = [
    // per measurement: prompts (stream and batch mode)
    count("promptTokens", "prompt tokens", "Tokens fed after the chat template (or the pp size of a test)."),
    count("genTokens", "generated tokens", "Tokens generated (or the tg size of a test)."),
    latency("ttftMs", "TTFT", 1, "From submitting the prompt to the first generated token in hand: prefill, first decode and sampling."),
    latency("prefillMs", "prefill time", 1, "llama.cpp's prompt-eval time for the request."),
    speed("prefillTps", "prefill", "Prompt tokens per second: promptTokens / prefill time (pp tests: pp / timed pp; parallel levels: sequences × prompt / ppMs, S_PP)."),
    latency("decodeMs", "decode time", 1, "From the first to the last generated token."),
    speed("decodeTps", "decode", "(genTokens − 1) / decodeMs for prompts; tg / timed tg for tests; sequences × gen / tgMs for parallel levels (S_TG)."),
    latency("itlP50Ms", "ITL p50", 2, "Median gap between consecutive generated tokens (time to first token excluded)."),
    latency("itlP90Ms", "ITL p90", 2, "90th percentile gap between consecutive generated tokens."),
    latency("itlP99Ms", "ITL p99", 2, "99th percentile gap between consecutive generated tokens."),
    latency("e2eMs", "e2e", 0, "The whole request, from submitting the prompt to the last token."),
    speed("e2eTps", "e2e", "Generated tokens per second over the whole request (batch mode)."),
    speed("engineDecodeTps", "engine decode", "llama.cpp's own counters for the same decode work."),
    speed("enginePrefillTps", "engine prefill", "llama.cpp's own counters for the same prompt work."),
    // per measurement: llama-bench style tests
    { name: "depth", label: "depth", unit: "tokens", better: "none", group: "count", digits: 0, description: "Tokens already in the context before the timed work." },
    latency("ppMs", "pp time", 1, "Timed prompt processing of a pp or pg test."),
    latency("tgMs", "tg time", 1, "Timed generation of a tg or pg test."),
    latency("pgMs", "pg time", 1, "pp then tg, timed together as llama-bench does."),
    speed("pgTps", "pg", "(pp + tg) / (ppMs + tgMs), as llama-bench reports pg (parallel levels: × sequences, llama-batched-bench's S)."),
    // per measurement: parallel (serving-load) levels; prefillTps / decodeTps / pgTps there are aggregates over the
    // sequences (llama-batched-bench's S_PP, S_TG, S), ttftMs the median over sequences, ITL pooled over them
    { name: "sequences", label: "sequences", unit: "", better: "none", group: "count", digits: 0, description: "Sequences evaluated together in one context (a parallel level)." },
    count("kvCells", "KV cells", "Cells the level's sequences hold at its end (their state lengths, as node-llama-cpp counts them)."),
    memory("levelRssBytes", "level RSS", "Resident memory at the end of a parallel level, its context of N sequences alive and filled."),
    memory("levelPeakRssBytes", "level peak RSS", "The child's high-water mark after a parallel level (levels run ascending)."),
    memory("levelVramBytes", "level VRAM", "Device memory a parallel level's context took, where the backend reports it."),
    latency("engineMs", "engine time", 1, "llama.cpp's own decode time for a parallel level (prompt eval + eval counters): what is left of pgMs is node-llama-cpp's."),
    // per config
    latency("loadMs", "load", 0, "Model load time in the child."),
    latency("startMs", "child start", 0, "From forking the child to its ready message (Node, node-llama-cpp, backend)."),
    latency("warmupMs", "warm-up", 0, "Wall time of the unmeasured warm-up runs."),
    memory("peakRssBytes", "peak RSS", "The child's resident-memory high-water mark (VmHWM on Linux, getrusage maxRSS elsewhere)."),
    memory("vramBytes", "VRAM", "Device memory taken by the model and context, where the backend reports it."),
    memory("sizeBytes", "file size", "Size of the model's GGUF file(s)."),
    // per config: the quality pass (runner/stats/qualityFigures.ts), scored as llama-perplexity scores
    quality("perplexity", "PPL", "", "lower", 4, "exp of the mean negative log-likelihood of each scored token, ± its standard error.", true),
    quality("top1Accuracy", "top-1 acc", "%", "higher", 2, "How often the model's most likely token was the corpus's next token."),
    quality("perplexityRef", "PPL ref", "", "lower", 4, "The reference's perplexity on the same positions."),
    quality("pplRatio", "PPL ratio", "", "lower", 5, "PPL(model) / PPL(reference), ± its standard error."),
    quality("lnPplRatio", "ln PPL ratio", "", "lower", 6, "ln(PPL(model) / PPL(reference)): the mean difference in log-likelihood, ± its standard error."),
    quality("kldMean", "KLD", "nats", "lower", 6, "Mean KL divergence of the model's next-token distribution from the reference's, ± its standard error.", true),
    quality("kldMedian", "KLD median", "nats", "lower", 6, "Median of the per-position KL divergence."),
    quality("kldP90", "KLD p90", "nats", "lower", 6, "90th percentile of the per-position KL divergence."),
    quality("kldP99", "KLD p99", "nats", "lower", 6, "99th percentile of the per-position KL divergence."),
    quality("kldP999", "KLD p99.9", "nats", "lower", 6, "99.9th percentile of the per-position KL divergence: the tail quants are ranked on.", true),
    quality("kldMax", "KLD max", "nats", "lower", 6, "Largest per-position KL divergence."),
    quality("kldTailMass", "ref tail", "%", "none", 2, "Top-K KLD only: the reference's mean probability outside its K tokens, where the KLD is extrapolated."),
    quality("sameTop1", "same top-1", "%", "higher", 2, "How often the model's most likely token is the reference's, ± its binomial standard error.", true),
    // Δp = p_model(next token) − p_reference(next token): a drop means the quant gives the right token less probability
    quality("deltaPMean", "Δp mean", "%", "higher", 3, "Mean change of the probability given to the corpus's next token, in percentage points (negative: a loss)."),
    quality("deltaPRms", "Δp RMS", "%", "lower", 3, "Root mean square of that change, in percentage points.")
];

/** Every known metric by name. */
export const metricCatalogue: ReadonlyMap<string, MetricDef> = new Map(definitions.map((def) => [def.name, def]));

/** The definition of `name`, or `undefined` for a metric the catalogue does not know. */
export function metricDef(name: string): MetricDef | undefined {
    return metricCatalogue.get(name);
}

/** `higher is better` / `lower is better`, or `""` where neither applies. */
export function directionText(name: string): string {
    const better = metricDef(name)?.better;
    return better === "higher" ? "higher is better" : better === "lower" ? "lower is better" : "";
}

/** A value as a table shows it, without its unit: bytes in binary units, others with the metric's decimals. */
export function formatMetricValue(name: string, value: number, digits?: number): string {
    const def = metricDef(name);
    if (def?.unit === "bytes") return formatBytes(value);
    return value.toFixed(digits ?? def?.digits ?? 2);
}

/** A header for a column or axis: label and unit, e.g. `decode tok/s`, `TTFT ms`, `peak RSS`. */
export function metricTitle(name: string): string {
    const def = metricDef(name);
    if (def == null) return name;
    return def.unit === "bytes" || def.unit === "" ? def.label : `${def.label} ${def.unit}`;
}
