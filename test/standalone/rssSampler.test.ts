import { describe, expect, it } from "vitest";
import { startRssSampler } from "../../runner/measure/rssSampler.ts";

describe("startRssSampler", () => {
    it("gives every phase entered a sample of its own, however short the phase", async () => {
        // a timer that never fires in the test: only the phase entries and the start/stop samples remain
        const sampler = await startRssSampler({ intervalMs: 60_000 });
        sampler.setPhase("load");
        sampler.setPhase("prefill"); // entered and left within microseconds, as a tiny model's prefill is
        sampler.setPhase("decode");
        sampler.setPhase("unload");
        const timeline = await sampler.stop();
        const phases = timeline.map((sample) => sample.phase);
        expect(phases[0]).toBe("idle");
        expect(phases.slice(1, 5)).toEqual(["load", "prefill", "decode", "unload"]);
        expect(phases.at(-1)).toBe("unload");
        for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.t).toBeGreaterThanOrEqual(timeline[i - 1]!.t);
        for (const sample of timeline) expect(sample.bytes).toBeGreaterThan(0);
    });

    it("samples on its timer between phase changes, tagged with the current phase", async () => {
        const sampler = await startRssSampler({ intervalMs: 5 });
        sampler.setPhase("decode");
        await new Promise((resolve) => setTimeout(resolve, 60));
        const timeline = await sampler.stop();
        // one entry sample, then the timer's: more than the start, entry and stop samples alone
        expect(timeline.filter((sample) => sample.phase === "decode").length).toBeGreaterThan(2);
    });
});
