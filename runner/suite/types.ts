/** Types of a parsed, validated suite (the YAML contract of docs/suites.md and suite.schema.json). */

export type GpuLayers = "max" | "auto" | number;
export type Threads = "auto" | number;
export type Mode = "stream" | "batch";
/** The one list of GPU backend settings (`gpu:`, `info --gpu`, the child's `--gpu=`); `false` is CPU only. */
export const gpuBackends = ["auto", "metal", "cuda", "vulkan", false] as const;
export type GpuBackend = typeof gpuBackends[number];

/** A backend setting written as text (`false` for CPU only); `undefined` when it is none of `gpuBackends`. */
export function parseGpuBackend(text: string): GpuBackend | undefined {
    return gpuBackends.find((backend) => String(backend) === text);
}
/**
 * Which build of llama.cpp node-llama-cpp loads: `prebuilt` (the binaries its npm packages ship) or `local` (built on
 * this machine from the source node-llama-cpp ships, by `npm run engine -- build`; see docs/engine.md).
 */
export const engines = ["prebuilt", "local"] as const;
export type Engine = typeof engines[number];
export type KvType = "f32" | "f16" | "bf16" | "q8_0" | "q4_0" | "q4_1" | "q5_0" | "q5_1" | "iq4_nl";
export const kvTypes: readonly KvType[] = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl"];
/** The quantized KV types (blocks of 32 values): llama.cpp refuses them for the V cache without flash attention. */
export const quantizedKvTypes: readonly KvType[] = ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl"];

/** Settings of one config. Every field can be set under `defaults`; those in `sweepableKeys` also under `matrix`. */
export interface Settings {
    /** Measured runs per prompt/test. Defaults to `3`. */
    repetitions: number;
    /** Unmeasured runs before the measured ones. Defaults to `1`. */
    warmup: number;
    /** Context size in tokens. Defaults to `2048`. */
    context: number;
    /** Layers offloaded to the GPU. Defaults to `"max"`. */
    gpuLayers: GpuLayers;
    /** CPU threads for llama.cpp; `"auto"` lets the runner choose per machine. Defaults to `"auto"`. */
    threads: Threads;
    /**
     * CPU threads for batches of more than one token (prompt prefill, pp tests): llama.cpp's `n_threads_batch`;
     * `threads` is then used for single-token decode. `"auto"`: the same as `threads` when that is a number (as
     * llama.cpp's `-tb` follows `-t`), else llama.cpp's math cores. Defaults to `"auto"`.
     */
    threadsBatch: Threads;
    /** Logical batch size. Defaults to `512`. */
    batch: number;
    /** Flash attention. Defaults to `false`. */
    flashAttention: boolean;
    /** KV cache element type. Defaults to `"f16"`. */
    kvType: KvType;
    /** `stream` timestamps every token; `batch` measures the whole answer. Defaults to `"stream"`. */
    mode: Mode;
    /** Most tokens generated per prompt. Defaults to `128`. */
    maxTokens: number;
    /** Sampling temperature; 0 is greedy and repeatable. Defaults to `0`. */
    temperature: number;
    /** Sampling and random-token seed. Defaults to `42`. */
    seed: number;
    /** GPU backend. Defaults to `"auto"`. */
    gpu: GpuBackend;
    /** The llama.cpp build node-llama-cpp loads: `prebuilt` or `local` (`npm run engine -- build`). Defaults to `"prebuilt"`. */
    engine: Engine;
    /** Seconds one config may run (load + all repetitions) before it is killed as `timeout`. Defaults to `900`. */
    timeout: number;
}

export const defaultSettings: Settings = {
    repetitions: 3,
    warmup: 1,
    context: 2048,
    gpuLayers: "max",
    threads: "auto",
    threadsBatch: "auto",
    batch: 512,
    flashAttention: false,
    kvType: "f16",
    mode: "stream",
    maxTokens: 128,
    temperature: 0,
    seed: 42,
    gpu: "auto",
    engine: "prebuilt",
    timeout: 900
};

/** Keys that may hold a list under `matrix`. */
export const sweepableKeys = [
    "context", "gpuLayers", "threads", "threadsBatch", "batch", "flashAttention", "kvType", "mode", "maxTokens", "temperature", "seed", "gpu", "engine"
] as const satisfies readonly (keyof Settings)[];
export type SweepableKey = typeof sweepableKeys[number];

/** What a synthetic clone copies: a local GGUF file (absolute path) or a file of a Hub repo at a revision. */
export type LikeRef = { path: string } | { repo: string; revision: string; file: string };

/** One `models:` entry as written in the suite (paths already absolute). */
export type ModelSpec =
    | { source: "path"; path: string }
    | { source: "hf"; repo: string; file: string; revision: string }
    | { source: "hf"; repo: string; quants: string[]; revision: string }
    | { source: "synthetic"; preset: string; quants: string[]; seed: number }
    /** A clone of `like`'s header with random weights; `quants` null: every tensor keeps its type. */
    | { source: "synthetic"; like: LikeRef; quants: string[] | null; seed: number };

export type PromptKind = "chat" | "completion";
export interface Prompt {
    id: string;
    /** The prompt text (read from `file:` at parse time). */
    text: string;
    /** `chat` goes through the model's chat template, `completion` is fed raw. Defaults to `"chat"`. */
    kind: PromptKind;
}

/** llama-bench style test on random tokens: pp only, tg only, or pp then tg ("pg"), after `depth` tokens of context. */
export interface BenchTest {
    id: string;
    pp: number;
    tg: number;
    depth: number;
}

/**
 * A serving-load test (`tests: - parallel: {...}`): at each level of `sequences`, one context with that many
 * sequences, each fed `prompt` random tokens and then `gen` single-token decodes, all evaluated together through
 * node-llama-cpp's batching (llama-batched-bench's workload). The levels, ascending, make the throughput and latency
 * curves; `rise` and `itlP90Ms` place the knee (runner/stats/knee.ts).
 */
export interface ParallelTest {
    /** `par:pp256+tg128`, `:pps` appended when the sequences share one prompt (suite/parallelIds.ts). */
    id: string;
    /** Concurrency levels, ascending and unique. */
    sequences: number[];
    /** Prompt tokens per sequence. */
    prompt: number;
    /** Decode steps per sequence after its prompt. */
    gen: number;
    /** Every sequence gets the same prompt tokens (each still evaluates them: node-llama-cpp shares no cells). Defaults to `false`. */
    shared: boolean;
    /** The knee: the highest level whose aggregate decode throughput still rose by at least this fraction over the level before. Defaults to `0.1`. */
    rise: number;
    /** Latency budget: the first level whose per-sequence inter-token latency p90 exceeds it, in ms. Defaults to `null` (no budget). */
    itlP90Ms: number | null;
}

export const defaultParallelRise = 0.1;

/** A test with the index it has under `tests:` (validation names it there). */
export interface Indexed<T> {
    test: T;
    index: number;
}

/** A model named by `quality.reference` directly (not as a quant of each entry). */
export type ReferenceModelSpec =
    | { source: "path"; path: string }
    | { source: "hf"; repo: string; file: string; revision: string };

/** `quality.reference`: a quant of each config's own model entry, or one model for every config. */
export type ReferenceSpec =
    | { name: string; quant: string }
    | { name: string; model: ReferenceModelSpec };

/** Reference tokens kept per position for KLD: `all` (exact), a number, or `auto` (see runner/plan/qualityPlan.ts). */
export type TopK = "auto" | "all" | number;

/** The suite's `quality:` block: perplexity of every config on a corpus, and its divergence from a reference. */
export interface QualitySpec {
    /** Absolute path of the corpus file. */
    corpus: string;
    /** The corpus text (read at parse time). */
    text: string;
    /** sha256 of the corpus file's bytes. */
    sha256: string;
    /** Tokens per chunk, as llama-perplexity's `-c`. Defaults to `512`. */
    context: number;
    /** Score only the first N chunks; null scores every whole chunk. Defaults to `null`. */
    chunks: number | null;
    /** What KLD, Δp and same-top-1 compare with; null: perplexity and top-1 accuracy only. Defaults to `null`. */
    reference: ReferenceSpec | null;
    /** Reference tokens kept per position for KLD. Defaults to `"auto"`. */
    topK: TopK;
}

export const defaultQualityContext = 512;

/**
 * The suite's `recommend:` block as written (checked by the schema; runner/recommend/constraints.ts resolves it with
 * its defaults): what `npm run recommend` and the end of `bench` choose each family's quant by.
 */
export interface RecommendSpec {
    /** `decode`, `prefill` or `e2e`. Defaults to `decode`. */
    objective?: string;
    /** Prompt tokens of the e2e request. Defaults to `512`. */
    promptTokens?: number;
    /** Answer tokens of the e2e request. Defaults to `256`. */
    answerTokens?: number;
    /** `8GiB`, `16GB`, `512M` or bytes. Defaults to what the machine has free. */
    memory?: string | number;
    /** Percent kept free above the measured peak. Defaults to `10`. */
    headroom?: number;
    /** Largest mean KLD from the reference, nats. Defaults to `0.05`. */
    maxKld?: number;
    /** Largest PPL ratio to the reference where a quant has no KLD. Defaults to `1.05`. */
    maxPplRatio?: number;
    /** Slowest decode allowed, tok/s. Defaults to no floor. */
    minDecodeTps?: number;
    /** Slowest prefill allowed, tok/s. Defaults to no floor. */
    minPrefillTps?: number;
}

export interface Suite {
    name: string;
    description?: string;
    /** Absolute path of the suite file. */
    path: string;
    /** sha256 of the suite file's bytes. */
    sha256: string;
    defaults: Settings;
    models: ModelSpec[];
    matrix: Partial<{ [K in SweepableKey]: Settings[K][] }>;
    prompts: Prompt[];
    tests: BenchTest[];
    /** The `tests:` entries written as `parallel:` blocks; absent when there are none. */
    parallel?: ParallelTest[];
    /** The `quality:` block, if any. */
    quality?: QualitySpec;
    /** The `recommend:` block, if any. */
    recommend?: RecommendSpec;
}

/**
 * Ids the results give a meaning of their own: the quality pass shows as the pseudo-prompt `quality`, and a
 * llama-bench test's id (`pp512`, `tg128`, `pp512+tg128@d4096`) names that test in every run, as a parallel test's
 * (`par:pp256+tg128`) and its levels' (`np4:pp256+tg128`, parallelIds.ts) do. A prompt by one of these names would
 * merge with them in summaries, tables and comparisons.
 */
export const reservedPromptId = /^(quality|(pp\d+)?(\+?tg\d+)?(@d\d+)?|(par|np\d+):pp\d+\+tg\d+(:shared|:pps)?)$/i;
