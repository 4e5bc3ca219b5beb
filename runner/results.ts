/**
 * What a run produces, as the child, the store and the CLI hold it in memory. The run file (store/runFile.ts,
 * docs/run-file.md) is its committed form and holds every field.
 */
import type { ParallelTest, Settings } from "./suite/types.ts";
import type { Warning } from "./warnings.ts";

export type ConfigStatus = "ok" | "failed" | "crashed" | "timeout" | "skipped";
export type RunStatus = "running" | "completed" | "interrupted" | "failed";
export type MeasurementKind = "prompt" | "pp" | "tg" | "pg" | "parallel";
/** Phases of a config's child, in the order they happen. */
export const phases = ["idle", "load", "warmup", "prefill", "decode", "quality", "unload"] as const;
export type Phase = typeof phases[number];

/** Metric name → value, names as in docs/metrics.md (ms, tokens, bytes, tokens/s). */
export type Metrics = Record<string, number>;

/** One measured repetition of one prompt or test. */
export interface Measurement {
    kind: MeasurementKind;
    /** Prompt id, or test id such as `pp512`, `tg128`, `pp512+tg128@d4096`, or a parallel test's level `np4:pp256+tg128`. */
    prompt: string;
    /** 0-based repetition index (warm-ups are not measurements). */
    rep: number;
    metrics: Metrics;
    /** Milliseconds from submitting the prompt to each generated token in hand (stream mode); raw samples behind ttft/ITL. */
    tokenTimesMs?: number[];
    /**
     * A parallel level's raw samples: per sequence, ms from the level's start to each of its tokens in hand (the first
     * from its prompt's last position, then one per decode step); every figure of the level is computed from them.
     */
    sequenceTimesMs?: number[][];
}

export interface RssSample {
    /** Milliseconds since the child started measuring. */
    t: number;
    bytes: number;
    phase: Phase;
}

export interface Summary {
    n: number;
    mean: number;
    sd: number;
    median: number;
    min: number;
    max: number;
}

/** Summaries of a config's measurements: prompt or test id → metric name → Summary (never joined into one key). */
export type Summaries = Record<string, Record<string, Summary>>;

/** A model as the record holds it: the local file and what we know about it. */
export interface ModelInfo {
    /** Where the model came from, as written in the run file. */
    source: "path" | "hf" | "synthetic";
    repo?: string;
    /** File name within the repo (hf) or base name (path, synthetic). */
    file: string;
    /** Absolute local path of the GGUF file. */
    path: string;
    sha256: string;
    sizeBytes: number;
    /** Quantization tag, e.g. `Q4_K_M` (from the file type in the GGUF header, else the file name). */
    quant: string;
    /** `general.architecture`. */
    arch: string;
    /** Parameter count, from the header (`general.parameter_count` or counted from tensor shapes). */
    parameters: number;
    /**
     * Set only for a synthetic clone (`synthetic: { like: … }`): the file it copies, as `OWNER/REPO/FILE.gguf[@revision]`
     * or a local file's name. Its architecture, shapes and tensor types are that file's, its weights random: speed
     * and memory figures are real, its text output is gibberish.
     */
    clonedFrom?: string;
}

/**
 * Raw samples of a scored corpus, one entry per scored position, in corpus order (chunk after chunk, each
 * `context − 1 − context/2` positions): what every quality figure is computed from (runner/stats/qualityFigures.ts).
 */
export interface QualityPositions {
    /** The token each position predicts. */
    token: number[];
    /** −ln q(token): the model's negative log-likelihood, in nats. */
    nll: number[];
    /** The model's most likely token (the first with the largest logit). */
    top1: number[];
    /** −ln p(token) under the reference. */
    nllRef?: number[];
    /** The reference's most likely token. */
    top1Ref?: number[];
    /** KL(reference ‖ model) in nats: exact, or from the reference's top K plus its tail (see `QualityReference.topK`). */
    kld?: number[];
    /** Top-K form: the reference's probability outside its K tokens (what the KLD approximation cannot see inside). */
    tailRef?: number[];
}

/** The reference a config was compared with. */
export interface QualityReference {
    /** As the suite names it, e.g. `F16` or `models/base.gguf`. */
    name: string;
    file: string;
    sha256: string;
    /** Tokens kept per position, or null: every token (exact KLD). */
    topK: number | null;
    /** The reference file's cache key (file name under the bench cache). */
    cacheKey: string;
    /** Bytes of the cached reference file. */
    cacheBytes: number;
    /** ms the reference pass took when it was computed (perhaps by an earlier run). */
    computeMs: number;
}

/** A config's quality pass: what was scored and the raw samples. */
export interface QualityRecord {
    corpus: { path: string; sha256: string };
    /** Tokens per chunk. */
    context: number;
    /** Chunks scored. */
    chunks: number;
    /** Tokens of the whole corpus, BOS included. */
    corpusTokens: number;
    reference: QualityReference | null;
    /** Wall time of the quality pass in the child (chunks evaluated and scored), ms. */
    ms: number;
    /** The child's resident-memory high-water mark at the end of the quality pass (the config's `peakRssBytes` is taken before it). */
    peakRssBytes: number;
    positions: QualityPositions;
}

/** The llama.cpp binary a config ran on (runner/engine/engineInfo.ts). */
export interface EngineInfo {
    /** node-llama-cpp's build type: `prebuilt` (its shipped binaries) or `localBuild` (built on this machine). */
    build: "prebuilt" | "localBuild";
    /** The llama.cpp repository and release the binary was built from, as node-llama-cpp reports them. */
    llamaCpp: { repo: string; release: string };
    /** llama.cpp's system-info string as the binary printed it: its compile-time features. */
    systemInfo: string;
    /** The features of `systemInfo`: flags set to 1 by name (`OPENMP`, `AVX2`), others as `NAME=value`, backends as `backend:NAME`. */
    features: string[];
    /**
     * Threads in libuv's pool in the child (`UV_THREADPOOL_SIZE`): node-llama-cpp runs every `llama_decode` on one of
     * them. Measure children get 1 unless the variable is set (docs/engine.md). Absent in files written before it was
     * recorded (those children had libuv's default, 4).
     */
    uvThreadpoolSize?: number;
}

/** What the child measured for one config. */
export interface ChildResult {
    loadMs: number;
    /** Wall time of the unmeasured warm-up runs, timed as the measured ones are. */
    warmupMs: number;
    peakRssBytes: number;
    /** Bytes the model and context took on the GPU / unified memory, where the backend reports it; else null. */
    vramBytes: number | null;
    /** Threads of single-token decodes, after resolving `auto`. */
    threads: number;
    /** Threads of batches of more than one token (prefill, pp), after resolving `auto`. */
    threadsBatch: number;
    /** Backend the child loaded: metal, cuda, vulkan or cpu. */
    backend: string;
    /** The llama.cpp binary the child loaded. */
    engine: EngineInfo;
    /**
     * What ran, for the settings node-llama-cpp or llama.cpp may adjust: the context node-llama-cpp rounds up (to a
     * multiple of 256 below the model's training context), the batch capped to the context, flash attention where
     * the model does not support it, the KV type the context reports, the layers offloaded, the backend loaded.
     */
    ran: RanSettings;
    measurements: Measurement[];
    /** The quality pass, when the suite has a `quality:` block. */
    quality?: QualityRecord;
    rssTimeline: RssSample[];
    outputs: Record<string, string>;
    warnings: Warning[];
}

/** Settings a child reports as they ran (see ChildResult.ran); threads and threadsBatch come resolved beside them. */
export type RanSettings = Pick<Settings, "context" | "batch" | "flashAttention" | "kvType" | "gpuLayers" | "gpu">;

export interface ConfigRecord {
    id: string;
    label: string;
    status: ConfigStatus;
    error: string | null;
    model: ModelInfo | null;
    /** The settings as they ran (as asked, for a config that never ran); `asked` holds what was asked where it differs. */
    params: Settings;
    /**
     * What was asked, for each setting where it differs from `params`: `{ context: 128 }` when node-llama-cpp ran a
     * context of 256, `{ threads: "auto" }` when auto resolved to 1, `{ gpuLayers: "max" }` when 0 layers ran on a
     * CPU. Empty when everything ran as asked. The config id always hashes what was asked. Absent in records saved
     * before it existed.
     */
    asked?: Partial<Settings>;
    /** ms from forking the child to its `ready` (Node start, node-llama-cpp import, backend load); null if it never got ready. */
    startMs: number | null;
    loadMs: number | null;
    /** ms of the unmeasured warm-up runs (model work, not measured). */
    warmupMs: number | null;
    /** The llama.cpp binary the config ran on; null when not recorded (a config that never loaded, or a record from before it existed). */
    engine?: EngineInfo | null;
    peakRssBytes: number | null;
    vramBytes: number | null;
    measurements: Measurement[];
    /** Median, sd, … of every metric per prompt/test, recomputed from `measurements` (see `summarizeMeasurements`). */
    summary: Summaries;
    /** The parallel (serving-load) tests as asked (their knee settings included); absent or empty when the suite has none. */
    parallel?: ParallelTest[];
    /** The quality pass with its raw samples; null or absent when the suite has no `quality:` block or the config did not run. */
    quality?: QualityRecord | null;
    outputs: Record<string, string>;
    /** The RSS timeline, downsampled (stats/downsampleRss.ts). */
    rssTimeline: RssSample[];
    warnings: Warning[];
    /** When the config started and finished; null when unknown (imported from a schema-1 run file). */
    startedAt: string | null;
    finishedAt: string | null;
    /** Child stderr tail, kept for crashes. */
    stderr?: string;
    /** What the machine was doing while the config ran (runner/exec/machineLoad.ts); absent when not recorded. */
    machineLoad?: MachineLoad;
}

/** What the machine was doing while a config ran, read around it by the parent (runner/exec/machineLoad.ts). */
export interface MachineLoad {
    /** The 1-minute load average when the config ended (it includes the config's own child, about 1). */
    loadAverage: number | null;
    /** Logical cores. */
    cores: number;
    /** Share (0–1) of all cores' time used by other processes while the config ran; null where unreadable. */
    othersCpu: number | null;
    /** Share (0–1) of all cores' time stolen by the hypervisor while the config ran; null where unreadable. */
    steal: number | null;
    /** Thermal throttle events counted while the config ran (Linux, where the kernel exposes them); null otherwise. */
    throttleEvents: number | null;
}

export interface MachineInfo {
    os: string;
    arch: string;
    cpu: string;
    cores: number;
    memoryBytes: number;
    node: string;
    nodeLlamaCpp: string;
    llamaCpp: string;
    backend: string;
    gpus: string[];
}

/** Which part of a suite's configs a run measured: `bench --shard K/N` (run/shard.ts). */
export interface Shard {
    /** 1-based: K of K/N. */
    index: number;
    count: number;
}

export interface RunRecord {
    id: string;
    suite: { name: string; path: string; sha256: string };
    startedAt: string;
    finishedAt: string | null;
    status: RunStatus;
    git: { commit: string | null; dirty: boolean | null };
    machine: MachineInfo;
    /** The shard of the suite's configs this run measured; null for the whole suite. */
    shard: Shard | null;
}
