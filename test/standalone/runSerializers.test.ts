import { describe, expect, it } from "vitest";
import { runSerializers } from "../../runner/cli/runSerializers.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { makeConfig, makeRun } from "./fixtures/records.ts";

const file = toRunFile(makeRun(), [makeConfig("c1"), { ...makeConfig("c2"), label: "evil | <img> \u001b[2J", status: "crashed", error: "killed by SIGKILL", measurements: [] }]);

describe("a run in each format", () => {
    it("text: a heading with the machine, then the results table bench prints; untrusted text made visible", () => {
        const lines = runSerializers.text(file).split("\n");
        expect(lines[0]).toBe("run 20250102-030405-qwen-quants-abcd of qwen-quants · Test CPU, 2 cores, cuda (NVIDIA H100) · node-llama-cpp 3.22.1 (llama.cpp b6000) · 2025-01-02T03:04:05.000Z · completed");
        expect(lines[1]).toMatch(/^config +prompt\/test +status +peak RSS +TTFT ms +decode tok\/s +e2e ms$/);
        expect(lines.filter((line) => line.startsWith("qwen Q4_K_M c1"))).toHaveLength(2); // explain and tg128
        expect(lines.join("\n")).toContain("evil | <img> \\x1b[2J: crashed: killed by SIGKILL");
    });

    it("md: the heading in bold, a markdown table of the same rows, cells escaped", () => {
        const md = runSerializers.md(file);
        const lines = md.split("\n");
        expect(lines[0]).toMatch(/^\*\*run 20250102-030405-qwen-quants-abcd of qwen-quants · .* · completed\*\*$/);
        expect(lines[2]).toBe("| config | prompt/test | status | peak RSS | TTFT ms | decode tok/s | e2e ms |");
        expect(lines.filter((line) => line.startsWith("| qwen Q4\\_K\\_M c1 | explain | ok | 286 MiB | 80.0 ± 2.0 | 12.0 ± 2.0 | 1000 ± 10 |"))).toHaveLength(1);
        expect(md).toContain("| evil \\| &lt;img&gt; \\\\x1b\\[2J |");
        expect(md).not.toContain("<img>");
    });

    it("json: the run file itself", () => {
        expect(runSerializers.json(file)).toBe(runFileText(file));
    });
});
