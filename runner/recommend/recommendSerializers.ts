/**
 * A recommendation in each output format: a few lines per family for a terminal (text), the same in markdown (md),
 * and the whole structure for tools (json). Every name from a run file goes through `visible` / `markdownCell`.
 */
import { formatBytes } from "../format/bytes.ts";
import { markdownCell, type Serializers } from "../format/serializer.ts";
import { visible } from "../format/visible.ts";
import { figure, type Candidate, type FamilyAnswer, type Recommendation } from "./recommend.ts";
import type { Speed } from "./candidate.ts";
import type { RecommendConstraints } from "./constraints.ts";

/** `decode tok/s`, `prefill tok/s`, `seconds for 512 prompt + 256 answer tokens`. */
export function objectiveText(c: RecommendConstraints): string {
    return c.objective === "e2e" ? `seconds per request of ${c.promptTokens} prompt + ${c.answerTokens} answer tokens` : `${c.objective} tok/s`;
}

/** What the answer was asked for, one line. */
export function constraintsLine(c: RecommendConstraints): string {
    const parts = [
        `fastest ${objectiveText(c)} (median of the repetitions, with the interval of the median)`,
        `quality: mean KLD ≤ ${c.maxKld} nats (PPL ratio ≤ ${c.maxPplRatio} where no KLD) against the reference`,
        `memory: measured peak + ${Math.round(c.headroom * 100)} % within ${c.memoryBytes == null ? "what the machine has" : formatBytes(c.memoryBytes)}`
    ];
    if (c.minDecodeTps != null) parts.push(`decode ≥ ${c.minDecodeTps} tok/s`);
    if (c.minPrefillTps != null) parts.push(`prefill ≥ ${c.minPrefillTps} tok/s`);
    return parts.join("; ");
}

/** `101.2 tok/s [97.0–104.0, 97 %] on tg64` */
export function speedText(s: Speed): string {
    const digits = s.unit === "s" ? 2 : 1;
    return `${s.median.toFixed(digits)} ${s.unit} [${s.low.toFixed(digits)}–${s.high.toFixed(digits)}, ${Math.round(s.coverage * 100)} %] on ${s.source}`;
}

/** The pick and its ties as one name: `Q8_0 ≈ Q4_K_M`, or `none` when nothing qualifies. */
export function pickName(answer: FamilyAnswer): string {
    return answer.picks.length === 0 ? "none" : answer.picks.map((c) => c.name).join(" ≈ ");
}

/** `family · machine`: the heading of one answer. */
export function answerHeading(answer: FamilyAnswer): string {
    const m = answer.machineInfo;
    return `${answer.family} on ${m.cpu}, ${m.cores} cores, ${m.backend}${m.gpus.length > 0 ? ` (${m.gpus.join(", ")})` : ""}`;
}

/** The pick's figures, one line. */
export function pickFigures(c: Candidate): string {
    const parts = [c.speed == null ? "no speed" : speedText(c.speed)];
    if (c.memory.bytes != null) parts.push(`peak ${c.memory.kind} ${formatBytes(c.memory.bytes)}`);
    if (c.quality != null) parts.push(`${c.quality.metric === "kldMean" ? "KLD" : c.quality.metric === "pplRatio" ? "PPL ratio" : "PPL"} ${figure(c.quality.value)} ± ${figure(c.quality.unc)}`);
    return parts.join(" · ");
}

function budgetLine(answer: FamilyAnswer): string | null {
    return answer.budget == null ? null : `memory budget: ${formatBytes(answer.budget.bytes)} ${answer.budget.kind}, ${answer.budget.source}`;
}

function textAnswer(answer: FamilyAnswer): string[] {
    const lines = [`${answerHeading(answer)}`, `  → run ${pickName(answer)}`];
    for (const c of answer.picks) lines.push(`      ${c.name}: ${pickFigures(c)}`);
    for (const c of answer.candidates) lines.push(`    ${c.name}: ${c.reason}`);
    const budget = budgetLine(answer);
    for (const note of [...(budget != null ? [budget] : []), ...answer.notes]) lines.push(`    note: ${note}`);
    return lines.map(visible);
}

export const recommendSerializers: Serializers<Recommendation> = {
    text: (r) => {
        if (r.answers.length === 0) return "recommendation: no configs to choose from\n";
        return [`recommendation: ${constraintsLine(r.constraints)}`, ...r.answers.flatMap((a) => ["", ...textAnswer(a)]), ""].join("\n");
    },
    md: (r) => {
        if (r.answers.length === 0) return "**Recommendation:** no configs to choose from\n";
        const out = [`**Recommendation** — ${markdownCell(constraintsLine(r.constraints))}`, ""];
        for (const a of r.answers) {
            out.push(`### ${markdownCell(answerHeading(a))}`, "", `**Run ${markdownCell(pickName(a))}**${a.picks[0] != null ? `: ${markdownCell(pickFigures(a.picks[0]))}` : ""}`, "");
            out.push("| quant | verdict | why |", "| --- | --- | --- |");
            for (const c of a.candidates) out.push(`| ${markdownCell(c.name)} | ${c.verdict} | ${markdownCell(c.reason)} |`);
            const budget = budgetLine(a);
            const notes = [...(budget != null ? [budget] : []), ...a.notes];
            if (notes.length > 0) out.push("", ...notes.map((n) => `- ${markdownCell(n)}`));
            out.push("");
        }
        return out.join("\n");
    },
    json: (r) => `${JSON.stringify({
        constraints: r.constraints,
        answers: r.answers.map((a) => ({
            family: a.family, machine: a.machine, runIds: a.runIds, pick: a.picks.map((c) => c.name), budget: a.budget,
            qualityRanked: a.qualityRanked, notes: a.notes, candidates: a.candidates
        }))
    }, null, 2)}\n`
};
