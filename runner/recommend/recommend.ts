/**
 * Which quant of each model family to run on each machine: the fastest on the objective among the quants that fit
 * the memory budget at their measured peak, meet the quality bound and the speed floors. Quants whose speed
 * intervals overlap the fastest one's are a tie and are named with it; every other quant gets the one reason that
 * rules it out. Pure: the caller says what memory each machine has (`MemoryBudgetOf`).
 */
import type { MachineInfo } from "../results.ts";
import { formatBytes } from "../format/bytes.ts";
import { machineKey } from "../store/machineKey.ts";
import { memoryOf, medianSpeed, qualityOf, speedOf, type Memory, type Quality, type RecommendConfig, type RecommendRun, type Speed } from "./candidate.ts";
import type { RecommendConstraints } from "./constraints.ts";
import { family } from "./family.ts";

/** The memory a machine offers a config, and where that figure comes from. */
export interface MemoryBudget {
    bytes: number;
    kind: "RAM" | "VRAM";
    /** `set in --memory`, `free now on this machine`, `total of that machine (its free memory was not recorded)`. */
    source: string;
}

/** The budget for a machine and a kind of memory; null when it is not known (memory is then not checked). */
export type MemoryBudgetOf = (machine: MachineInfo, kind: "RAM" | "VRAM") => MemoryBudget | null;

export type Verdict = "pick" | "tie" | "slower" | "memory" | "quality" | "floor" | "no-speed" | "not-ok";

export interface Candidate {
    /** The quant, or the config's label when a family has several configs of one quant (a matrix of settings). */
    name: string;
    quant: string;
    configId: string;
    runId: string;
    verdict: Verdict;
    /** One line: why it is not the pick (or what the pick is, for the pick and its ties). */
    reason: string;
    speed: Speed | null;
    memory: Memory;
    quality: Quality | null;
}

export interface FamilyAnswer {
    family: string;
    machine: string;
    machineInfo: MachineInfo;
    /** The runs it was read from, oldest first. */
    runIds: string[];
    /** The pick and the quants tied with it, best first (tie order: better quality, then less memory); empty when nothing qualifies. */
    picks: Candidate[];
    /** Every config of the family, picks first, then the others fastest first. */
    candidates: Candidate[];
    budget: MemoryBudget | null;
    /** True when the family had quality passes and the bound was applied. */
    qualityRanked: boolean;
    /** Plain notes: `ranks speed and memory only: no quality pass`, `memory not checked: …`. */
    notes: string[];
}

export interface Recommendation {
    constraints: RecommendConstraints;
    answers: FamilyAnswer[];
}

/** The smaller of two speeds is worse; for seconds (e2e) the larger is. */
const faster = (a: Speed, b: Speed) => (a.unit === "s" ? a.median < b.median : a.median > b.median);
const overlaps = (a: Speed, b: Speed) => a.low <= b.high && b.low <= a.high;

export function recommend(runs: readonly RecommendRun[], constraints: RecommendConstraints, budgetOf: MemoryBudgetOf): Recommendation {
    // machine → family → config id → newest run's config (runs may be passed in any order)
    const ordered = [...runs].sort((a, b) => (a.run.startedAt < b.run.startedAt ? -1 : a.run.startedAt > b.run.startedAt ? 1 : 0));
    const groups = new Map<string, { machine: MachineInfo; family: string; runIds: string[]; configs: Map<string, { runId: string; config: RecommendConfig }> }>();
    for (const { run, configs } of ordered) {
        for (const config of configs) {
            if (config.status === "skipped") continue;
            const fam = family(config.model, config.label);
            const key = `${machineKey(run.machine)}\u0000${fam.key}`;
            let group = groups.get(key);
            if (group == null) groups.set(key, group = { machine: run.machine, family: fam.name, runIds: [], configs: new Map() });
            group.machine = run.machine;
            if (!group.runIds.includes(run.id)) group.runIds.push(run.id);
            group.configs.set(config.id, { runId: run.id, config });
        }
    }
    const answers = [...groups.values()].map((group) => answerFamily(group.family, group.machine, group.runIds, [...group.configs.values()], constraints, budgetOf));
    return { constraints, answers };
}

function answerFamily(
    familyName: string, machine: MachineInfo, runIds: string[], entries: { runId: string; config: RecommendConfig }[],
    constraints: RecommendConstraints, budgetOf: MemoryBudgetOf
): FamilyAnswer {
    const notes: string[] = [];
    const quantCounts = new Map<string, number>();
    for (const { config } of entries) quantCounts.set(config.model?.quant ?? "?", (quantCounts.get(config.model?.quant ?? "?") ?? 0) + 1);

    const candidates: Candidate[] = entries.map(({ runId, config }) => {
        const quant = config.model?.quant ?? "?";
        return {
            name: quantCounts.get(quant)! > 1 ? config.label : quant, quant, configId: config.id, runId,
            verdict: "slower", reason: "", speed: config.status === "ok" ? speedOf(config, constraints) : null,
            memory: memoryOf(config, machine), quality: qualityOf(config)
        };
    });
    const configOf = new Map(entries.map(({ config }) => [config.id, config]));

    const kinds = new Set(candidates.map((c) => c.memory.kind));
    const budgets = new Map<string, MemoryBudget | null>([...kinds].map((kind) => [kind, budgetOf(machine, kind)]));
    const budget = budgets.get(kinds.has("VRAM") ? "VRAM" : "RAM") ?? null;
    for (const [kind, b] of budgets) if (b == null) notes.push(`memory not checked: this machine's ${kind} budget is not known (set one with --memory or the suite's recommend.memory)`);

    const withRef = candidates.filter((c) => c.quality != null && c.quality.metric !== "perplexity");
    const qualityRanked = withRef.length > 0;
    if (!qualityRanked) {
        notes.push(candidates.some((c) => c.quality != null)
            ? "ranks speed and memory only: the quality passes have no reference to bound a loss against (perplexity alone is not compared across quants here)"
            : "ranks speed and memory only: no quality pass (add a `quality:` block with a reference to bound the quality loss)");
    }

    const objective = constraints.objective;
    for (const c of candidates) {
        const config = configOf.get(c.configId)!;
        if (config.status !== "ok") {
            c.verdict = "not-ok";
            c.reason = `did not run (${config.status}${config.error != null ? `: ${config.error}` : ""})`;
            continue;
        }
        const b = budgets.get(c.memory.kind) ?? null;
        if (b != null && c.memory.bytes != null && c.memory.bytes * (1 + constraints.headroom) > b.bytes) {
            c.verdict = "memory";
            c.reason = `does not fit ${formatBytes(b.bytes)} ${b.kind} with ${Math.round(constraints.headroom * 100)} % headroom (measured peak ${formatBytes(c.memory.bytes)})`;
            continue;
        }
        if (qualityRanked) {
            const problem = qualityProblem(c.quality, constraints);
            if (problem != null) {
                c.verdict = "quality";
                c.reason = problem;
                continue;
            }
        }
        const floors: [number | null, "decode" | "prefill"][] = [[constraints.minDecodeTps, "decode"], [constraints.minPrefillTps, "prefill"]];
        const floorMiss = floors.find(([floor, what]) => {
            if (floor == null) return false;
            const median = medianSpeed(config, what);
            return median == null || median < floor;
        });
        if (floorMiss != null) {
            const median = medianSpeed(config, floorMiss[1]);
            c.verdict = "floor";
            c.reason = median == null ? `no ${floorMiss[1]} measured to check the ${floorMiss[0]} tok/s floor` : `${floorMiss[1]} ${median.toFixed(1)} tok/s is below the ${floorMiss[0]} tok/s floor`;
            continue;
        }
        if (c.speed == null) {
            c.verdict = "no-speed";
            c.reason = `no ${objective === "e2e" ? "prefill and decode" : objective} measurement to rank it on`;
        }
    }

    const eligible = candidates.filter((c) => c.verdict === "slower" && c.speed != null);
    eligible.sort((a, b) => (faster(a.speed!, b.speed!) ? -1 : faster(b.speed!, a.speed!) ? 1 : 0));
    const best = eligible[0];
    const picks: Candidate[] = [];
    if (best != null) {
        const tied = eligible.filter((c) => overlaps(c.speed!, best.speed!));
        tied.sort((a, b) => qualityOrder(a, b) || (a.memory.bytes ?? Infinity) - (b.memory.bytes ?? Infinity));
        picks.push(...tied);
        const [first, ...rest] = tied;
        first!.verdict = "pick";
        first!.reason = rest.length === 0 ? "fastest that meets every constraint" : `fastest, tied with ${rest.map((c) => c.name).join(", ")} (their intervals overlap)${tieBreak(first!, rest)}`;
        for (const c of rest) {
            c.verdict = "tie";
            c.reason = `ties with ${first!.name}: ${percentDifference(c.speed!, first!.speed!)}, within the intervals`;
        }
        for (const c of eligible) if (c.verdict === "slower") c.reason = slowerReason(c, first!, qualityRanked);
    }

    const order: Verdict[] = ["pick", "tie", "slower", "floor", "quality", "memory", "no-speed", "not-ok"];
    const rest = candidates.filter((c) => c.verdict !== "pick" && c.verdict !== "tie")
        .sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict) || speedOrder(a, b));
    return { family: familyName, machine: machineKey(machine), machineInfo: machine, runIds, picks, candidates: [...picks, ...rest], budget, qualityRanked, notes };
}

function speedOrder(a: Candidate, b: Candidate): number {
    if (a.speed == null || b.speed == null) return (a.speed == null ? 1 : 0) - (b.speed == null ? 1 : 0);
    return faster(a.speed, b.speed) ? -1 : faster(b.speed, a.speed) ? 1 : 0;
}

/** Lower loss first; a missing figure last. */
function qualityOrder(a: Candidate, b: Candidate): number {
    return (a.quality?.value ?? Infinity) - (b.quality?.value ?? Infinity);
}

/** 1.96 standard errors: the two-sided 95 % interval of a quality figure. */
const z95 = 1.96;

function qualityProblem(quality: Quality | null, constraints: RecommendConstraints): string | null {
    if (quality == null || quality.metric === "perplexity") return "no quality figure against the reference: the bound cannot be checked";
    const [bound, label, unit] = quality.metric === "kldMean" ? [constraints.maxKld, "KLD", " nats"] : [constraints.maxPplRatio, "PPL ratio", ""];
    if (quality.value <= bound) return null;
    const sure = quality.value - z95 * quality.unc > bound ? "" : " (its interval reaches below it)";
    return `${label} ${figure(quality.value)} ± ${figure(quality.unc)} is above the ${bound}${unit} bound${sure}`;
}

function tieBreak(first: Candidate, rest: Candidate[]): string {
    if (first.quality != null && first.quality.metric !== "perplexity" && rest.some((c) => c.quality != null)) return `; named first for its lower ${first.quality.metric === "kldMean" ? "KLD" : "PPL ratio"}`;
    if (first.memory.bytes != null && rest.some((c) => c.memory.bytes != null && c.memory.bytes > first.memory.bytes!)) return "; named first for its smaller memory";
    return "";
}

/** `12 % slower` / `3 % faster` / `0.4 s longer`, candidate against the pick. */
function percentDifference(c: Speed, pick: Speed): string {
    const ratio = c.median / pick.median;
    if (c.unit === "s") return ratio >= 1 ? `${Math.round((ratio - 1) * 100)} % longer per request` : `${Math.round((1 - ratio) * 100)} % shorter per request`;
    return ratio <= 1 ? `${Math.round((1 - ratio) * 100)} % slower` : `${Math.round((ratio - 1) * 100)} % faster`;
}

function slowerReason(c: Candidate, pick: Candidate, qualityRanked: boolean): string {
    // one repetition gives no interval: the difference is a single measurement, which may be noise
    const single = c.speed!.n < 2 || pick.speed!.n < 2;
    const speed = `${percentDifference(c.speed!, pick.speed!)} ${single ? "in a single repetition (no interval: raise `repetitions` to tell it from noise)" : "beyond the intervals"}`;
    if (!qualityRanked || c.quality == null || pick.quality == null || c.quality.metric !== pick.quality.metric) return speed;
    const label = c.quality.metric === "kldMean" ? "KLD" : "PPL ratio";
    const better = c.quality.value + z95 * c.quality.unc < pick.quality.value - z95 * pick.quality.unc;
    return better
        ? `${speed}; its ${label} is better (${figure(c.quality.value)} vs ${figure(pick.quality.value)}) but ${pick.name} already meets the bound`
        : `${speed}, no better ${label} within its interval`;
}

/** Four significant digits; below 0.0001 in exponent form (`9.06e-5`), so tiny figures stay readable. */
export function figure(value: number): string {
    if (value === 0) return "0";
    if (Math.abs(value) < 1e-4) return value.toExponential(2);
    const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
    return value.toFixed(Math.min(digits, 8));
}
