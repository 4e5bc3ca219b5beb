import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseReportArgs } from "../../runner/cli/commands/report.ts";
import { benchCacheDir, nonEmpty, reportDatabasePath, resultsDatabasePath, runFilesPath } from "../../runner/paths.ts";

describe("paths: one rule for every variable (empty = unset)", () => {
    it("treats a missing, empty or white-space variable as unset, and takes any other value as given", () => {
        expect(nonEmpty(undefined)).toBeUndefined();
        expect(nonEmpty("")).toBeUndefined();
        expect(nonEmpty("  ")).toBeUndefined();
        expect(nonEmpty("x.db")).toBe("x.db");
    });

    it("resolves the database and run files from GGUF_BENCH_DB / GGUF_BENCH_RESULTS, an empty one as the default", () => {
        expect(resultsDatabasePath({})).toBe("results/bench.db");
        expect(resultsDatabasePath({ GGUF_BENCH_DB: "" })).toBe("results/bench.db");
        expect(resultsDatabasePath({ GGUF_BENCH_DB: "/tmp/a.db" })).toBe("/tmp/a.db");
        expect(runFilesPath({ GGUF_BENCH_RESULTS: "" })).toBe("results/runs");
        expect(runFilesPath({ GGUF_BENCH_RESULTS: "/tmp/runs" })).toBe("/tmp/runs");
    });

    it("gives the report's build the command's database, else the results database, absolute", () => {
        expect(reportDatabasePath({ GGUF_BENCH_REPORT_DB: "", GGUF_BENCH_DB: "" })).toBe(path.resolve("results/bench.db"));
        expect(reportDatabasePath({ GGUF_BENCH_DB: "/tmp/b.db" })).toBe("/tmp/b.db");
        expect(reportDatabasePath({ GGUF_BENCH_REPORT_DB: "/tmp/r.db", GGUF_BENCH_DB: "/tmp/b.db" })).toBe("/tmp/r.db");
    });

    it("the report command reads the same variables the same way", () => {
        const args = parseReportArgs([], { GGUF_BENCH_DB: "", GGUF_BENCH_RESULTS: "" });
        expect(args?.db).toBe(path.resolve("results/bench.db"));
        expect(args?.results).toBe(path.resolve("results/runs"));
    });

    it("an empty GGUF_BENCH_CACHE is unset too", () => {
        expect(benchCacheDir({ GGUF_BENCH_CACHE: "", XDG_CACHE_HOME: "/tmp/xdg" })).toBe("/tmp/xdg/gguf-bench");
    });
});
