import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../../runner/errors.ts";
import { parseReportArgs } from "../../../runner/cli/commands/report.ts";
import { writeRunFile } from "../../../runner/store/writeRunFile.ts";
import { Store } from "../../../runner/store/store.ts";
import { config, run, save } from "./handMade.ts";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
let dir: string;
beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gguf-bench-report-cmd-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("report arguments", () => {
    it("takes a sub-path base and refuses what is not a URL path", () => {
        expect(parseReportArgs(["--base", "/gguf-bench"], {})).toMatchObject({ base: "/gguf-bench/", preview: false });
        expect(() => parseReportArgs(["--base", "https://x.org/"], {})).toThrow(InputError);
        expect(() => parseReportArgs(["--base", "/a/../b/"], {})).toThrow(/--base: expected a URL path/);
        expect(parseReportArgs(["--help"], {})).toBeNull();
    });

    it("names a database that is not there when one was asked for and no run files could make it", () => {
        const none = join(dir, "no-runs");
        expect(() => parseReportArgs(["--db", "/nonexistent/bench.db"], { GGUF_BENCH_RESULTS: none }))
            .toThrow(/--db: no database at `\/nonexistent\/bench.db`, and no run files in `.*no-runs` to make one from/);
        expect(() => parseReportArgs([], { GGUF_BENCH_DB: "/nonexistent/x.db", GGUF_BENCH_RESULTS: none })).toThrow(InputError);
    });

    it("reads run files from --results, else $GGUF_BENCH_RESULTS; a --results that is not there is refused, a missing default is none", async () => {
        const runs = join(dir, "runs");
        await writeRunFile(runs, run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z"), [config("c")]);
        const fresh = join(dir, "fresh.db");
        // the database does not exist yet: the run files will make it
        expect(parseReportArgs(["--db", fresh, "--results", runs], {})).toMatchObject({ db: fresh, results: runs });
        expect(parseReportArgs(["--db", fresh], { GGUF_BENCH_RESULTS: runs })).toMatchObject({ results: runs });
        expect(() => parseReportArgs(["--results", join(dir, "typo")], {})).toThrow(/--results: no run file or folder at `.*typo`/);
        expect(parseReportArgs([], { GGUF_BENCH_RESULTS: join(dir, "later") })).toMatchObject({ results: join(dir, "later") });
    });
});

describe("npm run report refuses a bad run file as db import does", () => {
    const report = (...args: string[]) => {
        const env = { ...process.env };
        for (const key of ["GGUF_BENCH_DB", "GGUF_BENCH_RESULTS", "GGUF_BENCH_REPORT_DB", "GGUF_BENCH_REPORT_BASE", "GGUF_BENCH_REPORT_OUT"]) delete env[key];
        return promisify(execFile)(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "report", ...args], { cwd: projectRoot, env })
            .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (error: { code: number; stdout: string; stderr: string }) => error);
    };

    it("exit 2 with one line naming the file and the JSON path: nothing imported, no database made, nothing built", async () => {
        const runs = join(dir, "runs");
        const good = await writeRunFile(runs, run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z"), [config("c", { figures: { explain: { decodeTps: [10, 12] } } })]);
        const edited = JSON.parse(readFileSync(good, "utf8"));
        edited.run.id = "20250102-000000-quants-bbbbbb";
        edited.configs[0].measurements[1].metrics.decodeTps = 99;
        writeFileSync(join(runs, "20250102-000000-quants-bbbbbb.json"), JSON.stringify(edited));
        const dist = join(dir, "dist");

        const fresh = await report("--db", join(dir, "fresh.db"), "--results", runs, "--out", dist);
        expect(fresh.code).toBe(2);
        expect(fresh.stderr.trim().split("\n")).toHaveLength(1);
        expect(fresh.stderr).toMatch(/bbbbbb\.json: configs\[0\]\.summary\.explain\.decodeTps\.mean: expected .* \(recomputed from the measurements\)/);
        expect(existsSync(join(dir, "fresh.db"))).toBe(false);
        expect(existsSync(dist)).toBe(false);

        // a database that exists keeps exactly the runs it had
        const db = join(dir, "bench.db");
        const store = Store.open(db);
        save(store, run("20241231-000000-quants-cccccc", "2024-12-31T00:00:00.000Z"), [config("c")]);
        store.close();
        const existing = await report("--db", db, "--results", runs, "--out", dist);
        expect(existing.code).toBe(2);
        const after = Store.open(db);
        expect(after.runIds()).toEqual(["20241231-000000-quants-cccccc"]);
        after.close();
        expect(existsSync(dist)).toBe(false);
    });

    it("exit 2 when a run file and the database disagree on one run id, naming both", async () => {
        const db = join(dir, "bench.db");
        const store = Store.open(db);
        const r = run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z");
        save(store, r, [config("c", { label: "as the database has it" })]);
        store.close();
        const runs = join(dir, "runs");
        mkdirSync(runs);
        await writeRunFile(runs, r, [config("c", { label: "as the file has it" })]);
        const result = await report("--db", db, "--results", runs, "--out", join(dir, "dist"));
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/aaaaaa\.json: run 20250101-000000-quants-aaaaaa is already in the database with other content \(recorded there by bench\)/);
        expect(existsSync(join(dir, "dist"))).toBe(false);
    });
});
