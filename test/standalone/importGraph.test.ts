import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importGraph, importSpecifiers, layerOf, stronglyConnected } from "../../scripts/import-graph.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("import graph: folders point down the pipeline", () => {
    it("reads static, type-only, re-export and dynamic specifiers, and only relative ones", () => {
        const text = [
            `import { a } from "./a.ts";`, `import type { B } from "../b.ts";`, `export { c } from "./c.ts";`,
            `const d = await import("./d.ts");`, `import "./e.ts";`, `import x from "node:fs";`
        ].join("\n");
        expect(importSpecifiers(text)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
    });

    it("places files in their layer, the most specific name winning", () => {
        expect(layerOf("runner/suite/parseSuite.ts")!.rank).toBeLessThan(layerOf("runner/plan/plan.ts")!.rank);
        expect(layerOf("runner/exec/runChild.ts")!.rank).toBeLessThan(layerOf("runner/measure/child.ts")!.rank);
        expect(layerOf("report/src/data/site.ts")!.unit).toBe("report");
        expect(layerOf("elsewhere/x.ts")).toBeUndefined();
    });

    it("finds circles of any length and none in a chain", () => {
        const next = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
        expect(stronglyConnected(["a", "b", "c", "d"], next)).toEqual([["a", "b", "c"]]);
        expect(stronglyConnected(["a", "b"], new Map([["a", new Set(["b"])]]))).toEqual([]);
    });

    it("the sources have no arrow back up, no circle, no report import of the child side, CLI or store internals", () => {
        const graph = importGraph(root);
        expect(graph.edges.length).toBeGreaterThan(100);
        expect(graph.unplaced).toEqual([]);
        expect(graph.upArrows).toEqual([]);
        expect(graph.folderCycles).toEqual([]);
        expect(graph.fileCycles).toEqual([]);
        expect(graph.reportViolations).toEqual([]);
    });
});
