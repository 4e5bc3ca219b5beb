/**
 * Text from a file, a suite, an argument or a model reaches the terminal with its control characters made visible:
 * the tables (widths computed on what is shown), the progress line and the ad-hoc answer.
 */
import { LlamaLogLevel } from "node-llama-cpp";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { terminalLlamaLogger } from "../../runner/format/llamaLogger.ts";
import { ProgressLine } from "../../runner/cli/progress.ts";
import { formatResultsTable } from "../../runner/cli/resultsTable.ts";
import { renderTable } from "../../runner/format/table.ts";
import { terminalHooks } from "../../runner/cli/terminalHooks.ts";
import type { Config } from "../../runner/plan/types.ts";
import type { ConfigRecord } from "../../runner/results.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const retitle = "\u001b]0;pwned\u0007";
const clear = "\u001b[2J";
const ESC = "\u001b";

const record = (over: Partial<ConfigRecord>): ConfigRecord => ({
    id: "abc", label: "m", status: "ok", error: null, model: null, params: defaultSettings, startMs: 1, loadMs: 1, warmupMs: 1,
    peakRssBytes: 2 ** 20, vramBytes: null, summary: {}, outputs: {}, rssTimeline: [], warnings: [], startedAt: "", finishedAt: "",
    measurements: [{ kind: "prompt", prompt: "p", rep: 0, metrics: { decodeTps: 10, e2eMs: 100 } }],
    ...over
});

/** A stream that keeps what is written; `isTTY` decides whether the progress line redraws in place. */
function fakeStream(isTTY: boolean) {
    const written: string[] = [];
    return { written, stream: { isTTY, columns: 200, write: (text: string) => (written.push(text), true) } as unknown as NodeJS.WriteStream };
}

describe("tables", () => {
    it("renderTable shows control characters as escapes and pads on the shown width", () => {
        const table = renderTable([["config", "x"], [`evil${retitle}`, "1"], ["plain", "2"]]);
        expect(table).not.toContain(ESC);
        const lines = table.split("\n");
        expect(lines[2]).toBe("evil\\x1b]0;pwned\\x07  1");
        // the column after the label starts at the same place on every line: widths are those of the shown text
        expect(lines.map((line) => line.lastIndexOf(" ") + 1)).toEqual([lines[2]!.length - 1, lines[2]!.length - 1, lines[2]!.length - 1, lines[2]!.length - 1]);
    });

    it("the results table escapes labels, prompt ids and the error lines under it", () => {
        const table = formatResultsTable([
            record({ label: `model${clear}` }),
            record({ id: "def", label: `bad${retitle}`, status: "failed", error: `llama.cpp: ${clear}boom`, measurements: [] })
        ]);
        expect(table).not.toContain(ESC);
        expect(table).toContain("model\\x1b[2J");
        expect(table).toContain(`bad\\x1b]0;pwned\\x07: failed: llama.cpp: \\x1b[2Jboom`);
    });
});

describe("the progress line", () => {
    const config = { id: "abc", label: `label${retitle}`, params: defaultSettings } as Config;

    it("in a log (not a terminal): label, step and error escaped", () => {
        const { written, stream } = fakeStream(false);
        const line = new ProgressLine(stream);
        line.configStart(config, 0, 1);
        line.configDone(record({ status: "failed", error: `x${clear}` }));
        expect(written.join("")).not.toContain(ESC);
        expect(written.join("")).toBe("[1/1] label\\x1b]0;pwned\\x07 …\n[1/1] label\\x1b]0;pwned\\x07 · failed: x\\x1b[2J\n");
    });

    it("on a terminal: only its own erase-line sequences are raw", () => {
        const { written, stream } = fakeStream(true);
        vi.stubEnv("CI", undefined); // CI logs get one line per config, never the live line under test here
        onTestFinished(() => void vi.unstubAllEnvs());
        let clock = 1_000_000;
        const line = new ProgressLine(stream, () => clock);
        line.configStart(config, 0, 1);
        clock += 1000; // past the redraw throttle, whatever the machine's speed
        line.progress({ phase: "decode", step: `step${clear}` });
        line.configDone(record({}));
        const raw = written.join("").replaceAll("\r\u001b[2K", "");
        expect(raw).not.toContain(ESC);
        expect(raw).toContain("step\\x1b[2J");
    });
});

describe("the ad-hoc answer", () => {
    it("is streamed with newlines and tabs kept and every other control character escaped", () => {
        const { written, stream } = fakeStream(false);
        const hooks = terminalHooks(true, new ProgressLine(fakeStream(false).stream), stream);
        hooks.onText?.(`line 1\n\tline 2${retitle}${clear}\r`);
        expect(written.join("")).toBe("line 1\n\tline 2\\x1b]0;pwned\\x07\\x1b[2J\\r");
    });
});

describe("llama.cpp's log lines in info and --dry-run", () => {
    it("go to stderr one line each, control characters escaped", () => {
        const { written, stream } = fakeStream(false);
        terminalLlamaLogger(stream)(LlamaLogLevel.warn, `load: bad special token: 'x${retitle}' = 1\n`);
        expect(written).toEqual(["llama.cpp warn: load: bad special token: 'x\\x1b]0;pwned\\x07' = 1\n"]);
    });
});
