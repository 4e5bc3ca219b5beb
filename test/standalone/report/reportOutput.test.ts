/**
 * `npm run report -- --out DIR` may only ever replace what a report build wrote: a folder holding anything else, the
 * results folder, the database's folder, the checkout and the folders above them are refused before anything is
 * touched (exit 2, one line naming the folder). Real folders in a temp dir; one real Astro build.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../runner/cli/main.ts";
import { buildReportInto, checkReportOut, reportMarker, type ProtectedPlaces } from "../../../runner/cli/reportOutput.ts";
import { writeRunFile } from "../../../runner/store/writeRunFile.ts";
import { snapshotTree } from "../fixtures/treeSnapshot.ts";
import { config, run } from "./handMade.ts";

const checkout = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");
let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-report-out-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `report` in this process with the project's own arguments; returns the exit code and the error lines. */
async function report(...argv: string[]): Promise<{ code: number; errors: string[] }> {
    const errors: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
        const code = await main(["report", ...argv], (line) => errors.push(line));
        return { code, errors };
    } finally {
        log.mockRestore();
    }
}

/** A folder someone cares about: a git repository with files. */
function precious(at: string): void {
    mkdirSync(path.join(at, ".git", "objects"), { recursive: true });
    writeFileSync(path.join(at, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(path.join(at, "notes.md"), "my notes\n");
}

describe("report --out refuses, before anything is touched, every folder it did not build", () => {
    it.each([
        ["a folder holding .git and files", (d: string) => { precious(path.join(d, "mine")); return path.join(d, "mine"); }, /--out `.*mine`: refused: the folder holds files that no report build wrote \(no \.gguf-bench-report/],
        ["the results folder", (d: string) => path.join(d, "results", "runs"), /--out `.*runs`: refused: it is the results folder/],
        ["the folder holding the results folder and the database", (d: string) => path.join(d, "results"), /--out `.*results`: refused: it holds the results folder/],
        ["a file", (d: string) => { writeFileSync(path.join(d, "site"), "x"); return path.join(d, "site"); }, /--out `.*site`: refused: it is a file/],
        ["the checkout root", () => checkout, /refused: it is the checkout/],
        ["the folder above the checkout", () => path.dirname(checkout), /refused: it holds the checkout|refused: it holds the results folder|refused: it holds the database/]
    ])("%s → exit 2, one line naming it, nothing changed", async (_name, target, says) => {
        const runs = path.join(dir, "results", "runs");
        await writeRunFile(runs, run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z"), [config("c")]);
        const out = target(dir);
        const before = snapshotTree(dir);
        const { code, errors } = await report("--db", path.join(dir, "results", "bench.db"), "--results", runs, "--out", out);
        expect(code).toBe(2);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(says);
        // not even the import ran: the database was not made
        expect(snapshotTree(dir)).toEqual(before);
    });

    it("`--out .` from the checkout is refused (the checkout and everything in it stays)", async () => {
        const cwd = process.cwd();
        expect(cwd).toBe(checkout);
        const runs = path.join(dir, "runs");
        await writeRunFile(runs, run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z"), [config("c")]);
        const { code, errors } = await report("--db", path.join(dir, "bench.db"), "--results", runs, "--out", ".");
        expect(code).toBe(2);
        expect(errors[0]).toMatch(/--out `.*`: refused: it is the checkout/);
        expect(existsSync(path.join(checkout, ".git"))).toBe(true);
    });

    it("a link to a folder is refused, and so is an output folder that leads into the results through a link", () => {
        const places: ProtectedPlaces = { results: path.join(dir, "runs"), db: path.join(dir, "db", "bench.db"), checkout, defaultOut: path.join(checkout, "report", "dist") };
        mkdirSync(path.join(dir, "runs"));
        mkdirSync(path.join(dir, "empty"));
        symlinkSync(path.join(dir, "empty"), path.join(dir, "link"));
        expect(() => checkReportOut(path.join(dir, "link"), places)).toThrow(/refused: it is a link/);
        symlinkSync(dir, path.join(dir, "up"));
        expect(() => checkReportOut(path.join(dir, "up"), places)).toThrow(/refused: it holds the results folder/);
    });
});


describe("the build goes into a fresh folder and replaces only what a report build wrote", () => {
    const places = (): ProtectedPlaces => ({ results: path.join(dir, "runs"), db: path.join(dir, "bench.db"), checkout, defaultOut: path.join(checkout, "report", "dist") });

    it("absent, empty and marked folders are replaced; the site carries the marker; a failed build leaves the target as it was", async () => {
        const build = async (fresh: string) => {
            // Astro empties its output folder first: it may only ever be this fresh one
            expect(readdirSync(fresh)).toEqual([]);
            writeFileSync(path.join(fresh, "index.html"), "<p>site</p>");
        };
        const absent = path.join(dir, "site");
        await buildReportInto(absent, places(), build);
        expect(readdirSync(absent).sort()).toEqual([reportMarker, "index.html"]);

        // a second build replaces the first (and what that one held) whole
        writeFileSync(path.join(absent, "stale.html"), "old");
        await buildReportInto(absent, places(), build);
        expect(readdirSync(absent).sort()).toEqual([reportMarker, "index.html"]);

        const empty = path.join(dir, "empty");
        mkdirSync(empty);
        await buildReportInto(empty, places(), build);
        expect(readFileSync(path.join(empty, "index.html"), "utf8")).toBe("<p>site</p>");

        await expect(buildReportInto(absent, places(), async (fresh) => {
            writeFileSync(path.join(fresh, "half.html"), "");
            throw new Error("the build failed");
        })).rejects.toThrow(/the build failed/);
        expect(readdirSync(absent).sort()).toEqual([reportMarker, "index.html"]);
        // nothing left beside it
        expect(readdirSync(dir).sort()).toEqual(["empty", "site"]);
    });

    it("a folder that gained someone's files during the build is not replaced", async () => {
        const target = path.join(dir, "site");
        await expect(buildReportInto(target, places(), async () => precious(target))).rejects.toThrow(/refused: the folder holds files that no report build wrote/);
        expect(existsSync(path.join(target, ".git", "HEAD"))).toBe(true);
        expect(readdirSync(dir)).toEqual(["site"]);
    });
});

describe("a real build (Astro) replaces a marked folder, writes nothing else, and shows invisible formatting characters", () => {
    it("builds into the marked folder, clearing only what the earlier build left", async () => {
        const runs = path.join(dir, "runs");
        await writeRunFile(runs, run("20250101-000000-quants-aaaaaa", "2025-01-01T00:00:00.000Z"), [config("c", { label: "evil\u202egnp.exe\u200b model", figures: { explain: { decodeTps: [10, 12] } } })]);
        const out = path.join(dir, "site");
        mkdirSync(out);
        writeFileSync(path.join(out, reportMarker), "built before\n");
        writeFileSync(path.join(out, "stale.html"), "from an earlier build");
        const env = { ...process.env };
        for (const key of ["GGUF_BENCH_DB", "GGUF_BENCH_RESULTS", "GGUF_BENCH_REPORT_DB", "GGUF_BENCH_REPORT_BASE", "GGUF_BENCH_REPORT_OUT"]) delete env[key];
        const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "report", "--db", path.join(dir, "bench.db"), "--results", runs, "--out", out], { cwd: checkout, env });
        expect(stdout).toMatch(/report: built/);
        const files = readdirSync(out);
        expect(files).toContain("index.html");
        expect(files).toContain(reportMarker);
        expect(files).not.toContain("stale.html");
        // a label's bidi override and zero-width space are shown, not obeyed, on every page that names the config
        const page = readFileSync(path.join(out, "runs", "20250101-000000-quants-aaaaaa", "c", "index.html"), "utf8");
        expect(page).toContain("evil⟨U+202E⟩gnp.exe⟨U+200B⟩ model");
        for (const name of readdirSync(out, { recursive: true }) as string[])
            if (name.endsWith(".html")) expect(readFileSync(path.join(out, name), "utf8"), name).not.toMatch(/[\u202a-\u202e\u200b\u2066-\u2069]/u);
        expect(readdirSync(dir).filter((name) => !name.startsWith("bench.db-")).sort()).toEqual(["bench.db", "runs", "site"]);
    }, 300_000);
});
