import { describe, expect, it } from "vitest";
import { loadSite } from "../../../report/src/data/loadSite.ts";
import { serving } from "../../../report/src/data/serving.ts";
import type { Measurement } from "../../../runner/results.ts";
import { Store } from "../../../runner/store/store.ts";
import { config, run, save } from "./handMade.ts";

const test = { id: "par:pp8+tg4", sequences: [1, 2, 4], prompt: 8, gen: 4, shared: false, rise: 0.1, itlP90Ms: 10 };

describe("the Scaling page's serving data", () => {
    it("reads the parallel tests through the database and draws each level's medians, with the knee in words", () => {
        const store = Store.open(":memory:");
        const c = config("c1", { label: "model <b>Q8_0</b>" });
        c.parallel = [test];
        c.measurements = [[1, 100, 5], [2, 190, 8], [4, 200, 12]].flatMap(([n, tps, itl]) => [0, 1].map((rep): Measurement => ({
            kind: "parallel", prompt: `np${n}:pp8+tg4`, rep, metrics: { sequences: n!, decodeTps: tps! + rep, prefillTps: 1000 * n!, itlP90Ms: itl!, ttftMs: 3 * n! },
            sequenceTimesMs: Array.from({ length: n! }, () => [1, 2])
        })));
        save(store, run("r1", "2026-01-01T00:00:00.000Z"), [c, config("plain")]);
        const site = loadSite(store.db);
        expect(site.configs.find((x) => x.id === "c1")!.parallel).toEqual([test]);
        expect(site.configs.find((x) => x.id === "plain")!.parallel).toEqual([]);
        const data = serving(site.configs);
        expect(data.decodeTps).toEqual([
            { series: "model <b>Q8_0</b> · par:pp8+tg4", sequences: 1, value: 100.5 },
            { series: "model <b>Q8_0</b> · par:pp8+tg4", sequences: 2, value: 190.5 },
            { series: "model <b>Q8_0</b> · par:pp8+tg4", sequences: 4, value: 200.5 }
        ]);
        expect(data.itlP90Ms.map((p) => p.value)).toEqual([5, 8, 12]);
        expect(data.ttftMs.map((p) => p.value)).toEqual([3, 6, 12]);
        expect(data.outcomes.map((o) => o.text)).toEqual([
            "par:pp8+tg4: knee at 2 sequences (the last level whose aggregate decode tok/s rose 10 % or more); ITL p90 exceeds 10 ms from 4 sequences"
        ]);
        store.close();
    });
});
