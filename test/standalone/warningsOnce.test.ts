/** The same problem is said once: llama.cpp's per-key warnings fold into one line, one error of many configs is one line. */
import { LlamaLogLevel } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { formatResultsTable } from "../../runner/cli/resultsTable.ts";
import { LlamaLog } from "../../runner/measure/llamaLog.ts";
import type { ConfigRecord } from "../../runner/results.ts";
import { defaultSettings } from "../../runner/suite/types.ts";
import { warningText } from "../../runner/warnings.ts";

describe("LlamaLog.warnings", () => {
    it("folds llama.cpp's `bad special token` lines, one per key, into one line naming the keys", () => {
        const log = new LlamaLog();
        for (const key of ["seperator", "padding", "cls", "mask"])
            log.logger(LlamaLogLevel.warn, `load: bad special token: 'tokenizer.ggml.${key}_token_id' = 4294967295, using default id -1\n`);
        log.logger(LlamaLogLevel.warn, "load: bad special token: 'tokenizer.ggml.padding_token_id' = 4294967295, using default id -1");
        log.logger(LlamaLogLevel.warn, "llama_context: n_ctx_per_seq (256) < n_ctx_train (512)");
        log.logger(LlamaLogLevel.warn, "llama_context: n_ctx_per_seq (256) < n_ctx_train (512)");
        expect(log.warnings().map(warningText)).toEqual([
            "llama.cpp: load: bad special token: 'tokenizer.ggml.seperator_token_id', 'tokenizer.ggml.padding_token_id', " +
            "'tokenizer.ggml.cls_token_id', 'tokenizer.ggml.mask_token_id' = 4294967295, using default id -1",
            "llama.cpp: llama_context: n_ctx_per_seq (256) < n_ctx_train (512)"
        ]);
        expect(log.warnings()[1]).toEqual({ kind: "llamaCpp", message: "llama_context: n_ctx_per_seq (256) < n_ctx_train (512)" });
    });

    it("keeps lines with several quoted names apart, and different values apart", () => {
        const log = new LlamaLog();
        log.logger(LlamaLogLevel.warn, "a 'x' and 'y'");
        log.logger(LlamaLogLevel.warn, "a 'z' and 'w'");
        log.logger(LlamaLogLevel.warn, "token 'p' = 1");
        log.logger(LlamaLogLevel.warn, "token 'q' = 2");
        expect(log.warnings().map(warningText)).toEqual(["llama.cpp: a 'x' and 'y'", "llama.cpp: a 'z' and 'w'", "llama.cpp: token 'p' = 1", "llama.cpp: token 'q' = 2"]);
    });
});

describe("the results table", () => {
    const failed = (label: string, error: string): ConfigRecord => ({
        id: label, label, status: "failed", error, model: null, params: defaultSettings, startMs: null, loadMs: null, warmupMs: null,
        peakRssBytes: null, vramBytes: null, measurements: [], summary: {}, outputs: {}, rssTimeline: [], warnings: [], startedAt: "", finishedAt: ""
    });

    it("says one error of several configs once, with how many and the first label", () => {
        const offline = "cannot reach http://127.0.0.1:1 (offline?) while listing Qwen/Qwen2.5-1.5B-Instruct-GGUF: ECONNREFUSED";
        const table = formatResultsTable([failed("Q3_K_M stream", offline), failed("Q3_K_M batch", offline), failed("Q4_K_M stream", "other")]);
        const under = table.split("\n\n")[1]!.split("\n");
        expect(under).toEqual([`2 configs (Q3_K_M stream, …): failed: ${offline}`, "Q4_K_M stream: failed: other"]);
    });
});
