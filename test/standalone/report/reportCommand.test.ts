import { describe, expect, it } from "vitest";
import { InputError } from "../../../runner/errors.ts";
import { parseReportArgs } from "../../../runner/cli/commands/report.ts";

describe("report arguments", () => {
    it("takes a sub-path base and refuses what is not a URL path", () => {
        expect(parseReportArgs(["--base", "/gguf-bench"], {})).toMatchObject({ base: "/gguf-bench/", preview: false });
        expect(() => parseReportArgs(["--base", "https://x.org/"], {})).toThrow(InputError);
        expect(() => parseReportArgs(["--base", "/a/../b/"], {})).toThrow(/--base: expected a URL path/);
    });

    it("names a database that is not there when one was asked for", () => {
        expect(() => parseReportArgs(["--db", "/nonexistent/bench.db"], {})).toThrow(/--db: no database at `\/nonexistent\/bench.db`/);
        expect(() => parseReportArgs([], { GGUF_BENCH_DB: "/nonexistent/x.db" })).toThrow(InputError);
        expect(parseReportArgs(["--help"], {})).toBeNull();
    });
});
