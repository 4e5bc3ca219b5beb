/**
 * The hostile corpus: suites, arguments, environment variables, GGUF files and Hub answers (from the fake Hub) that
 * a careless or hostile user, suite author or server could send. Each runs the real command in this process
 * (`main`, as `npm run bench` does) and states how it ends: the exit code and the one line it prints. In every case
 * nothing is written outside the model cache, the database and the results folder (a snapshot of the whole temp root
 * before and after, and the files git sees appear in this checkout), an input error (exit 2) stores nothing, and no raw
 * control character reaches the terminal.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../runner/cli/main.ts";
import { GGUFValueType, ggufHeaderBytes } from "../../runner/models/gguf/ggufWriter.ts";
import { GgmlType } from "../../runner/models/gguf/quantize.ts";
import { openDatabase } from "../../runner/store/db.ts";
import { toRunFile } from "../../runner/store/runFile.ts";
import { runFileText } from "../../runner/store/runFileText.ts";
import { Store } from "../../runner/store/store.ts";
import { summarizeMeasurements } from "../../runner/stats/summarize.ts";
import { baseDir, homeDir, makeConfig, makeRun } from "./fixtures/records.ts";
import { startFakeHub, type FakeHub } from "./fakeHub.ts";
import { changesOutside, snapshotTree } from "./fixtures/treeSnapshot.ts";

const ESC = "\u001b";
const BEL = "\u0007";
const token = "hf_corpus_token_0123456789";
/** Where a run may write, relative to a case's root: the cache, the database, the results and the report's output. */
const allowed = ["cache", "bench.db", "bench.db-wal", "bench.db-shm", "runs", "site"];

let hub: FakeHub;
beforeAll(async () => {
    const notGguf = Buffer.from("<html>this is not a model</html>\n");
    const header = Buffer.from(validHeader());
    hub = await startFakeHub({
        token,
        repos: {
            "evil/listing": { files: [{ path: "../../escaped-Q8_0.gguf", content: header }] },
            "evil/commit": { commit: "../../../../escaped-commit", files: [{ path: "m-Q8_0.gguf", content: header }] },
            "evil/etag": { files: [{ path: "m-Q8_0.gguf", content: header, announcedSha256: "../../../escaped-etag" }] },
            "evil/sha": { files: [{ path: "m-Q8_0.gguf", content: header, announcedSha256: "0".repeat(64) }] },
            "evil/short": { files: [{ path: "m-Q8_0.gguf", content: header, announcedSize: header.length + 1000 }] },
            "evil/huge": { files: [{ path: "m-Q8_0.gguf", content: header, announcedSize: 2 ** 52 }] },
            "evil/loop": { misbehave: "redirect-loop", files: [{ path: "m-Q8_0.gguf", content: header }] },
            "evil/nocommit": { misbehave: "no-commit", files: [{ path: "m-Q8_0.gguf", content: header }] },
            "evil/down": { misbehave: 500, files: [{ path: "m-Q8_0.gguf", content: header }] },
            "acme/private": { private: true, files: [{ path: "m-Q8_0.gguf", content: notGguf }] }
        }
    });
});
afterAll(() => hub.close());

// ------------------------------------------------------------------ GGUF bytes

/** A GGUF file with metadata and no tensors: valid, and small. */
function validHeader(): Uint8Array {
    return ggufHeaderBytes({ "general.architecture": { type: GGUFValueType.STRING, value: "llama" } }, []).header;
}

/** GGUF v3 from raw parts: `GGUF`, version, tensor count, kv count, then `body`. */
function rawGguf(version: number, tensorCount: bigint, kvCount: bigint, body: Buffer = Buffer.alloc(0)): Buffer {
    const head = Buffer.alloc(24);
    head.write("GGUF", 0, "latin1");
    head.writeUInt32LE(version, 4);
    head.writeBigUInt64LE(tensorCount, 8);
    head.writeBigUInt64LE(kvCount, 16);
    return Buffer.concat([head, body]);
}

const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const ggufString = (text: string) => Buffer.concat([u64(BigInt(Buffer.byteLength(text))), Buffer.from(text)]);

// ------------------------------------------------------------------ running a case

interface Case {
    name: string;
    /** Files the case needs, made under its root; returns the arguments after `bench` (or the whole argv with `command`). */
    setup(root: string): { argv: string[]; env?: Record<string, string | undefined>; command?: string[] };
    code: 0 | 1 | 2;
    /** The one error line (exit 2) or a line the output must hold (exit 1). */
    says: RegExp;
    /** Text that must not reach the terminal (a file's content that is not JSON, say). */
    hides?: string;
    /** Extra checks on the root and the fake Hub's requests after the run. */
    after?(root: string): void;
    /** Undo what setup did that would stop the root from being removed. */
    cleanup?(root: string): void;
}

const suite = (root: string, body: string, name = "suite.yaml") => {
    writeFileSync(path.join(root, name), body);
    return path.join(root, name);
};
const tail = "prompts:\n  - { id: a, text: hi }\n";
const hfSuite = (root: string, model: string) => suite(root, `name: corpus\ndefaults: { repetitions: 1, warmup: 0 }\nmodels:\n  - ${model}\n${tail}`);
const store = (root: string) => ["--db", path.join(root, "bench.db"), "--results", path.join(root, "runs")];

/**
 * Files of this checkout that git does not track, ignored ones included (results/bench.db is ignored), outside
 * node_modules and .cache (the child bundles, gguf-bench's own cache). Edits to tracked files are left out, so a
 * developer editing while the tests run does not trip it; a file a run wrongly creates here does.
 */
function newFilesInCheckout(): string[] {
    const out = execFileSync("git", ["status", "--porcelain", "--untracked-files=all", "--ignored=matching"], { encoding: "utf8" });
    // the project's own build outputs (the child bundle in .cache/, the report's generated types) are not the run's
    // writes; git lists an ignored folder whole (`!! .cache/`) whatever pathspec excludes it, so they are filtered here
    const buildOutputs = ["node_modules/", ".cache/", "report/.astro/"];
    return out.split("\n")
        .filter((line) => line.startsWith("?? ") || line.startsWith("!! "))
        .filter((line) => !buildOutputs.some((prefix) => line.slice(3).startsWith(prefix)))
        .sort();
}

async function runCase(c: Case): Promise<void> {
    const root = mkdtempSync(path.join(tmpdir(), "gguf-bench-corpus-"));
    try {
        const { argv, env = {}, command } = c.setup(root);
        const before = snapshotTree(root);
        const checkoutBefore = newFilesInCheckout();
        const saved = { ...process.env };
        const base: Record<string, string | undefined> = {
            GGUF_BENCH_DB: undefined, GGUF_BENCH_RESULTS: undefined, GGUF_BENCH_CACHE: path.join(root, "cache"),
            HF_HOME: path.join(root, "hf-home"), HF_HUB_CACHE: undefined, HF_TOKEN: undefined, HUGGING_FACE_HUB_TOKEN: undefined,
            HF_ENDPOINT: hub.endpoint
        };
        for (const [key, value] of Object.entries({ ...base, ...env })) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        const printed: string[] = [];
        const errors: string[] = [];
        const collect = (...parts: unknown[]) => void printed.push(parts.map(String).join(" "));
        const spies = [
            vi.spyOn(console, "log").mockImplementation(collect), vi.spyOn(console, "error").mockImplementation(collect),
            vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (collect(chunk), true)),
            vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (collect(chunk), true))
        ];
        let code: number;
        try {
            code = await main(command ?? ["bench", ...argv], (line) => errors.push(line));
        } finally {
            for (const spy of spies) spy.mockRestore();
            for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
            Object.assign(process.env, saved);
        }
        const output = [...printed, ...errors].join("\n");
        expect(code, output).toBe(c.code);
        if (c.code === 2) {
            expect(errors, output).toHaveLength(1);
            expect(errors[0]).not.toContain("\n");
            expect(errors[0]).toMatch(c.says);
            // an input error stores nothing: no file is added or changed anywhere, except the shared-memory and
            // write-ahead files SQLite makes beside a database it only reads (--resume), which hold no data
            expect(changesOutside(before, snapshotTree(root), ["bench.db-wal", "bench.db-shm"])).toEqual([]);
        } else {
            expect(output).toMatch(c.says);
            expect(changesOutside(before, snapshotTree(root), allowed)).toEqual([]);
        }
        expect(output.includes(ESC) || output.includes(BEL), "a raw control character reached the terminal").toBe(false);
        expect(output, "a stack trace reached the terminal").not.toMatch(/\n\s+at .*\(|RangeError|TypeError/);
        if (c.hides != null) expect(output).not.toContain(c.hides);
        expect(newFilesInCheckout().filter((line) => !checkoutBefore.includes(line)), "files written into this checkout").toEqual([]);
        c.after?.(root);
    } finally {
        c.cleanup?.(root);
        rmSync(root, { recursive: true, force: true });
    }
}

/**
 * Makes `dir` refuse new files: `chattr +i` as root (who may write anywhere else; EPERM, as the issue saw), else
 * mode 0555. Returns whether it worked here (no chattr, or a file system without it: the case is skipped).
 */
function makeReadOnly(dir: string): boolean {
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() !== 0) {
        chmodSync(dir, 0o555);
        return true;
    }
    try {
        execFileSync("chattr", ["+i", dir], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

function undoReadOnly(dir: string): void {
    if (process.getuid?.() === 0) execFileSync("chattr", ["-i", dir], { stdio: "ignore" });
    else chmodSync(dir, 0o755);
}

const readOnlyWorks = (() => {
    const probe = mkdtempSync(path.join(tmpdir(), "gguf-bench-ro-probe-"));
    try {
        const worked = makeReadOnly(path.join(probe, "d"));
        if (worked) undoReadOnly(path.join(probe, "d"));
        return worked;
    } finally {
        rmSync(probe, { recursive: true, force: true });
    }
})();

// ------------------------------------------------------------------ the cases

const suites: Case[] = [
    { name: "hf file `../../../../escaped-file.gguf`", code: 2, says: /models\[0\]\.file: expected a path inside the repo/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: ../../../../escaped-file.gguf }"), ...store(r)] }) },
    { name: "hf revision `../../../victim.txt`", code: 2, says: /models\[0\]\.revision: expected a branch, tag or commit name/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: m.gguf, revision: ../../../victim.txt }"), ...store(r)] }) },
    { name: "hf repo `a/..`", code: 2, says: /models\[0\]\.hf: expected a Hugging Face repo id/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/.., file: m.gguf }"), ...store(r)] }) },
    { name: "hf file with an absolute path", code: 2, says: /models\[0\]\.file: expected a path inside the repo/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: /etc/passwd.gguf }"), ...store(r)] }) },
    { name: "hf file holding ESC]0;…BEL (shown escaped)", code: 2, says: /got `x\\x1b\]0;pwned\\x07\.gguf`/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: \"x\\e]0;pwned\\a.gguf\" }"), ...store(r)] }) },
    { name: "a model path holding ESC[2J (shown escaped)", code: 2, says: /got `\\x1b\[2Jnope\.gguf`/,
        setup: (r) => ({ argv: [hfSuite(r, "{ path: \"\\e[2Jnope.gguf\" }"), ...store(r)] }) },
    { name: "a prompt file over 1 MiB", code: 2, says: /prompts\[0\]\.file: expected a text file of at most 1048576 bytes/,
        setup: (r) => {
            writeFileSync(path.join(r, "big.txt"), "x".repeat((1 << 20) + 1));
            return { argv: [suite(r, "name: c\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - { id: a, file: big.txt }\n"), ...store(r)] };
        } },
    { name: "a prompt file that is a folder", code: 2, says: /prompts\[0\]\.file: expected an existing file/,
        setup: (r) => ({ argv: [suite(r, "name: c\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\nprompts:\n  - { id: a, file: . }\n"), ...store(r)] }) },
    { name: "repetitions in the billions", code: 2, says: /defaults\.repetitions: expected an integer from 1 to 10000, got `5000000000`/,
        setup: (r) => ({ argv: [suite(r, `name: c\ndefaults: { repetitions: 5000000000 }\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), ...store(r)] }) },
    { name: "a context of 100 000 000", code: 2, says: /defaults\.context: expected an integer from 16 to 16777216, got `100000000`/,
        setup: (r) => ({ argv: [suite(r, `name: c\ndefaults: { context: 100000000 }\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), ...store(r)] }) },
    { name: "a timeout of ten years", code: 2, says: /defaults\.timeout: expected a number > 0 and <= 604800/,
        setup: (r) => ({ argv: [suite(r, `name: c\ndefaults: { timeout: 315360000 }\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), ...store(r)] }) },
    { name: "a quantized KV cache without flash attention", code: 2, says: /defaults\.kvType: kvType `q8_0` needs flashAttention: true/,
        setup: (r) => ({ argv: [suite(r, `name: c\ndefaults: { kvType: q8_0 }\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), ...store(r)] }) },
    { name: "tg + depth beyond the context", code: 2, says: /tests\[0\]: test tg128@d4096 needs 4225 tokens of context/,
        setup: (r) => ({ argv: [suite(r, "name: c\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\ntests: [{ tg: 128, depth: 4096 }]\n"), ...store(r)] }) },
    { name: "maxTokens filling the context", code: 2, says: /defaults\.maxTokens: maxTokens 2048 leaves no room for a prompt/,
        setup: (r) => ({ argv: [suite(r, `name: c\ndefaults: { maxTokens: 2048 }\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), ...store(r)] }) },
    { name: "a YAML alias bomb", code: 2, says: /expands aliases too often/,
        setup: (r) => ({ argv: [suite(r, Array.from({ length: 6 }, (_, i) => i === 0 ? "a0: &a0 [x, x, x, x, x, x, x, x, x]" : `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`).join("\n") + "\n"), ...store(r)] }) },
    { name: "nesting 100 000 levels deep", code: 2, says: /nesting deeper than 32 levels/,
        setup: (r) => ({ argv: [suite(r, "name: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n"), ...store(r)] }) },
    { name: "a suite argument that is a folder", code: 2, says: /cannot be read: EISDIR/,
        setup: (r) => ({ argv: [r, ...store(r)] }) },
    { name: "a suite file over 1 MiB", code: 2, says: /a suite file may be at most 1048576 bytes/,
        setup: (r) => ({ argv: [suite(r, "name: " + "x".repeat(1 << 20) + "\n"), ...store(r)] }) },
    { name: "--filter holding ESC]0;…BEL that matches nothing (shown escaped)", code: 2, says: /^gguf-bench: --filter: .*got `\\x1b\]0;x\\x07`/,
        setup: (r) => ({ argv: [suite(r, `name: c\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`), "--filter", `${ESC}]0;x${BEL}`, ...store(r)] }) }
];

const ggufPath = (r: string, bytes: Buffer | string, name = "m.gguf") => {
    writeFileSync(path.join(r, name), bytes);
    return suite(r, `name: c\nmodels: [{ path: ${name} }]\n${tail}`);
};
const ggufs: Case[] = [
    { name: "a text file named .gguf", code: 2, says: /is not a GGUF file \(bad magic\)/, setup: (r) => ({ argv: [ggufPath(r, "hello\n"), ...store(r)] }) },
    { name: "an empty .gguf", code: 2, says: /is not a GGUF file \(bad magic\)/, setup: (r) => ({ argv: [ggufPath(r, ""), ...store(r)] }) },
    { name: "GGUF version 99", code: 2, says: /unsupported GGUF version 99/, setup: (r) => ({ argv: [ggufPath(r, rawGguf(99, 0n, 0n)), ...store(r)] }) },
    { name: "a header claiming 2^40 tensors", code: 2, says: /truncated header \(tensor count 1099511627776 exceeds the file\)/,
        setup: (r) => ({ argv: [ggufPath(r, rawGguf(3, 2n ** 40n, 0n)), ...store(r)] }) },
    { name: "a metadata key claiming 1 GB", code: 2, says: /truncated header \(string length 1000000000 exceeds the file\)/,
        setup: (r) => ({ argv: [ggufPath(r, rawGguf(3, 0n, 1n, u64(1_000_000_000n))), ...store(r)] }) },
    { name: "a metadata array claiming 2^40 items", code: 2, says: /truncated header \(array length 1099511627776 exceeds the file\)/,
        setup: (r) => ({ argv: [ggufPath(r, rawGguf(3, 0n, 1n, Buffer.concat([ggufString("k"), u32(9), u32(4), u64(2n ** 40n)]))), ...store(r)] }) },
    { name: "a tensor with 9 dimensions", code: 2, says: /bad tensor dimension count 9/,
        setup: (r) => ({ argv: [ggufPath(r, rawGguf(3, 1n, 0n, Buffer.concat([ggufString("t"), u32(9), Buffer.alloc(64)]))), ...store(r)] }) },
    { name: "a GGUF cut short in its tensor data", code: 2, says: /is truncated \(tensor data ends past the end of the file\)/,
        setup: (r) => ({ argv: [ggufPath(r, Buffer.from(ggufHeaderBytes({}, [{ name: "w", shape: [1024, 1024], type: GgmlType.F32 }]).header)), ...store(r)] }) },
    { name: "a .gguf that is a link to /dev/zero", code: 2, says: /models\[0\]\.path: expected an existing file/,
        setup: (r) => {
            symlinkSync("/dev/zero", path.join(r, "zero.gguf"));
            return { argv: [suite(r, `name: c\nmodels: [{ path: zero.gguf }]\n${tail}`), ...store(r)] };
        } }
];

const synthetic = (r: string) => suite(r, `name: c\nmodels: [{ synthetic: { preset: tiny, quant: Q8_0 } }]\n${tail}`);
const args: Case[] = [
    { name: "--db \"\"", code: 2, says: /^gguf-bench: --db: expected a value, got an empty one$/, setup: (r) => ({ argv: [synthetic(r), "--db", ""] }) },
    { name: "--db :memory: (a throwaway database)", code: 2, says: /^gguf-bench: --db: expected a database file, got `:memory:`/, setup: (r) => ({ argv: [synthetic(r), "--db", ":memory:"] }) },
    { name: "--db naming a folder", code: 2, says: /database .*: expected a file, found a folder$/,
        setup: (r) => { mkdirSync(path.join(r, "dbdir")); return { argv: [synthetic(r), "--db", path.join(r, "dbdir"), "--results", path.join(r, "runs")] }; } },
    { name: "--db naming a text file (not a database; left as it is)", code: 2, says: /cannot use it as the database \(SQLITE_NOTADB/,
        setup: (r) => { writeFileSync(path.join(r, "notes.txt"), "my notes\n"); return { argv: [synthetic(r), "--db", path.join(r, "notes.txt"), "--results", path.join(r, "runs")] }; } },
    { name: "--results naming a file", code: 2, says: /results folder .*: expected a folder, found a file$/,
        setup: (r) => { writeFileSync(path.join(r, "f"), ""); return { argv: [synthetic(r), "--db", path.join(r, "bench.db"), "--results", path.join(r, "f")] }; } },
    { name: "--results under a file", code: 2, says: /results folder .*f\/sub: .*f is a file, not a folder$/,
        setup: (r) => { writeFileSync(path.join(r, "f"), ""); return { argv: [synthetic(r), "--db", path.join(r, "bench.db"), "--results", path.join(r, "f", "sub")] }; } },
    { name: "--repetitions 99999999999999999999", code: 2, says: /^gguf-bench: --repetitions: expected an integer from 1 to 10000, got `99999999999999999999`$/,
        setup: (r) => ({ argv: [synthetic(r), "--repetitions", "99999999999999999999", ...store(r)] }) },
    { name: "--repetitions 1e3", code: 2, says: /--repetitions: expected an integer from 1 to 10000, got `1e3`$/,
        setup: (r) => ({ argv: [synthetic(r), "--repetitions", "1e3", ...store(r)] }) },
    { name: "--max-tokens 0", code: 2, says: /--max-tokens: expected an integer from 1 to 16777216, got `0`$/,
        setup: (r) => ({ argv: ["--model", "a/b/m.gguf", "--prompt", "hi", "--max-tokens", "0", ...store(r)] }) },
    { name: "--threads 2000", code: 2, says: /--threads: expected `auto` or an integer from 1 to 1024, got `2000`$/,
        setup: (r) => ({ argv: ["--model", "a/b/m.gguf", "--prompt", "hi", "--threads", "2000", ...store(r)] }) },
    { name: "--model naming a folder", code: 2, says: /--model: expected a GGUF model file, got .*, which is a directory/,
        setup: (r) => ({ argv: ["--model", r, "--prompt", "hi", ...store(r)] }) },
    { name: "--model naming a text file", code: 2, says: /--model: expected a GGUF model file, got .*notes\.txt`: notes\.txt is not a GGUF file/,
        setup: (r) => { writeFileSync(path.join(r, "notes.txt"), "hello"); return { argv: ["--model", path.join(r, "notes.txt"), "--prompt", "hi", ...store(r)] }; } },
    { name: "--model naming a truncated GGUF", code: 2, says: /is truncated \(tensor data ends past the end of the file\)/,
        setup: (r) => {
            writeFileSync(path.join(r, "cut.gguf"), ggufHeaderBytes({}, [{ name: "w", shape: [256, 256], type: GgmlType.F32 }]).header);
            return { argv: ["--model", path.join(r, "cut.gguf"), "--prompt", "hi", ...store(r)] };
        } },
    { name: "--model a/b/../../../../x.gguf", code: 2, says: /--model: Hub file `\.\.\/\.\.\/\.\.\/\.\.\/x\.gguf`: expected a path inside the repo/,
        setup: (r) => ({ argv: ["--model", "a/b/../../../../x.gguf", "--prompt", "hi", ...store(r)] }) },
    { name: "--prompt of spaces only", code: 2, says: /--prompt: expected a non-empty prompt/,
        setup: (r) => ({ argv: ["--model", "a/b/m.gguf", "--prompt", "   ", ...store(r)] }) },
    { name: "an unknown command holding ESC]0;…BEL", code: 2, says: /unknown command `\\x1b\]0;x\\x07`/,
        setup: () => ({ argv: [], command: [`${ESC}]0;x${BEL}`] }) },
    { name: "--resume of a run that is not there (the database left as it is)", code: 2, says: /--resume: no run `nope` in/,
        setup: (r) => { openDatabase(path.join(r, "bench.db")).close(); return { argv: ["--resume", "nope", ...store(r)] }; } },
    { name: "two suite files", code: 2, says: /expected at most one suite file/, setup: (r) => ({ argv: [synthetic(r), synthetic(r), ...store(r)] }) },
    { name: "an unknown flag holding ESC[2J", code: 2, says: /Unknown option '--\\x1b\[2J'/, setup: (r) => ({ argv: [`--${ESC}[2J`, ...store(r)] }) }
];

const envs: Case[] = [
    { name: "GGUF_BENCH_RESULTS naming a file", code: 2, says: /results folder .*: expected a folder, found a file$/,
        setup: (r) => { writeFileSync(path.join(r, "f"), ""); return { argv: [synthetic(r), "--db", path.join(r, "bench.db")], env: { GGUF_BENCH_RESULTS: path.join(r, "f") } }; } },
    { name: "GGUF_BENCH_DB naming a folder", code: 2, says: /database .*: expected a file, found a folder$/,
        setup: (r) => ({ argv: [synthetic(r), "--results", path.join(r, "runs")], env: { GGUF_BENCH_DB: r } }) },
    { name: "GGUF_BENCH_CACHE naming a file", code: 2, says: /model cache .*: expected a folder, found a file$/,
        setup: (r) => { writeFileSync(path.join(r, "c"), ""); return { argv: [synthetic(r), ...store(r)], env: { GGUF_BENCH_CACHE: path.join(r, "c") } }; } },
    { name: "HF_ENDPOINT that is not a URL", code: 2, says: /^gguf-bench: HF_ENDPOINT: expected an http\(s\) URL .*, got `not a url`$/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: m.gguf }"), ...store(r)], env: { HF_ENDPOINT: "not a url" } }) },
    { name: "HF_ENDPOINT with file://", code: 2, says: /HF_ENDPOINT: expected an http\(s\) URL/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: m.gguf }"), ...store(r)], env: { HF_ENDPOINT: "file:///etc" } }) },
    { name: "HF_TOKEN holding a newline (a header injection; never shown)", code: 2, says: /^gguf-bench: HF_TOKEN: expected a Hub token of printable characters without spaces \(its value is not shown\)$/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: a/b, file: m.gguf }"), ...store(r)], env: { HF_TOKEN: "hf_abc\r\nX-Evil: 1" } }) }
];

const cdnGets = () => hub.requests.filter((request) => request.server === "cdn" && request.method === "GET");
const hubs: Case[] = [
    { name: "a listing naming a file outside the repo", code: 2, says: /listed `\.\.\/\.\.\/escaped-Q8_0\.gguf` in evil\/listing, which is not a path inside a repo/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/listing, quants: [Q8_0] }"), ...store(r)] }) },
    { name: "a private repo without HF_TOKEN", code: 2, says: /acme\/private not found or private \(401\): set HF_TOKEN/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: acme/private, quants: [Q8_0] }"), ...store(r)] }) },
    { name: "a commit that is a path", code: 1, says: /X-Repo-Commit `\.\.\/\.\.\/\.\.\/\.\.\/escaped-commit`.*expected a 40-digit commit hash/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/commit, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "an ETag that is a path", code: 1, says: /ETag `\.\.\/\.\.\/\.\.\/escaped-etag`.*expected a file hash/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/etag, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "a file whose sha256 is not the one announced (the corrupt download removed)", code: 1, says: /sha256 [0-9a-f]{64} differs from the Hub's 0{64}; removed the corrupt download/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/sha, file: m-Q8_0.gguf }"), ...store(r)] }),
        after: (r) => expect([...snapshotTree(path.join(r, "cache")).keys()].filter((p) => p.includes("blobs/"))).toEqual([]) },
    { name: "a lying size (1000 bytes more than the CDN sends)", code: 1, says: /got \d+ bytes, expected \d+; run again to resume/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/short, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "an announced size of 4 PiB (more than the disk)", code: 1, says: /the Hub says it is 4\.0 PiB|the Hub says it is 4096 TiB|the Hub says it is .*, and the cache's disk has .* free/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/huge, file: m-Q8_0.gguf }"), ...store(r)] }),
        after: () => expect(cdnGets()).toEqual([]) },
    { name: "a redirect loop", code: 1, says: /too many redirects while downloading evil\/loop\/m-Q8_0\.gguf/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/loop, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "an answer without X-Repo-Commit", code: 1, says: /sent no X-Repo-Commit\/ETag for evil\/nocommit\/m-Q8_0\.gguf: is HF_ENDPOINT a Hugging Face Hub\?/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/nocommit, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "a Hub answering 500", code: 1, says: /answered 500 while downloading evil\/down\/m-Q8_0\.gguf; try again later/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: evil/down, file: m-Q8_0.gguf }"), ...store(r)] }) },
    { name: "a private file that is not GGUF, from a CDN on another host (the token goes to the Hub only)", code: 1, says: /is not a readable GGUF model/,
        setup: (r) => ({ argv: [hfSuite(r, "{ hf: acme/private, file: m-Q8_0.gguf }"), ...store(r)], env: { HF_TOKEN: token } }),
        after: () => {
            expect(cdnGets().length).toBeGreaterThan(0);
            expect(cdnGets().every((request) => request.authorization == null)).toBe(true);
            expect(hub.requests.some((request) => request.server === "hub" && request.authorization === `Bearer ${token}`)).toBe(true);
        } }
];

// ------------------------------------------------------------------ run files, db, compare, report, clones (issue 16)

const secret = "SECRET-CONTENT-root:x:0:0";
/** A valid run file's JSON (one config, a prompt and a test), edited by `edit`. */
const runJson = (edit: (file: any) => void = () => undefined): string => {
    const file = JSON.parse(runFileText(toRunFile(makeRun(), [makeConfig("c1")], { baseDir, homeDir })));
    edit(file);
    return JSON.stringify(file, null, 2);
};
const runId = makeRun().id;
/** `root/runs/NAME` holding `text`; returns the folder. */
const runsWith = (r: string, text: string, name = "a.json") => {
    mkdirSync(path.join(r, "runs"), { recursive: true });
    writeFileSync(path.join(r, "runs", name), text);
    return path.join(r, "runs");
};
const db = (r: string) => ["--db", path.join(r, "bench.db")];
const linkedSecret = (r: string, name = "a.json") => {
    writeFileSync(path.join(r, "secret.txt"), `${secret}\n`);
    mkdirSync(path.join(r, "runs"), { recursive: true });
    symlinkSync(path.join(r, "secret.txt"), path.join(r, "runs", name));
    return path.join(r, "runs");
};
const fifo = (r: string, name = "a.json") => {
    mkdirSync(path.join(r, "runs"), { recursive: true });
    execFileSync("mkfifo", [path.join(r, "runs", name)]);
    return path.join(r, "runs", name);
};
const deep = (levels: number) => `{"schema": 2, "run": ${"[".repeat(levels)}${"]".repeat(levels)}, "configs": []}`;
/**
 * A run file edited, as `db import` sees it: exit 2 and the line `says`. With `resummarize`, the summaries are made
 * again from the edited measurements, so the file agrees with itself and only the edit is wrong.
 */
const importRefuses = (name: string, edit: (file: any) => void, says: RegExp, resummarize = false): Case => ({
    name, code: 2, says, setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, runJson((f) => {
        edit(f);
        if (resummarize) for (const config of f.configs) config.summary = summarizeMeasurements(config.measurements);
    }))] })
});
const report = (r: string, out: string, runs = path.join(r, "runs")) => ["report", ...db(r), "--results", runs, "--out", out];

const runFiles: Case[] = [
    { name: "db import: a run file that is a link to a secret file (refused, not read)", code: 2, says: /a\.json: not a run file: a symbolic link; run files are read only as regular files/, hides: secret,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), linkedSecret(r)] }) },
    { name: "db import: a link named alone", code: 2, says: /a\.json: not a run file: a symbolic link/, hides: secret,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), path.join(linkedSecret(r), "a.json")] }) },
    { name: "db import: a FIFO named *.json in the folder (no hang)", code: 2, says: /a\.json: not a run file: a FIFO \(named pipe\)/,
        setup: (r) => { fifo(r); return { argv: [], command: ["db", "import", ...db(r), path.join(r, "runs")] }; } },
    { name: "db import: a FIFO named alone (no hang)", code: 2, says: /a\.json: not a run file: a FIFO \(named pipe\)/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), fifo(r)] }) },
    { name: "db import: a folder named *.json", code: 2, says: /x\.json: not a run file: a folder/,
        setup: (r) => { mkdirSync(path.join(r, "runs", "x.json"), { recursive: true }); return { argv: [], command: ["db", "import", ...db(r), path.join(r, "runs")] }; } },
    { name: "db import: a link to /dev/zero named alone", code: 2, says: /zero\.json: not a run file: a symbolic link/,
        setup: (r) => { symlinkSync("/dev/zero", path.join(r, "zero.json")); return { argv: [], command: ["db", "import", ...db(r), path.join(r, "zero.json")] }; } },
    { name: "db import: /etc/passwd-like text (where it broke, not what it held)", code: 2, says: /a\.json: not a run file: invalid JSON at line 1, column 1: expected a value/, hides: secret,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, `${secret}:/root:/bin/bash\n`)] }) },
    { name: "db import: JSON that breaks on line 3 after a secret", code: 2, says: /a\.json: not a run file: invalid JSON at line 3, column 3: expected a key in double quotes$/, hides: "hunter2",
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, `{\n  "password": "hunter2",\n  oops\n}`)] }) },
    { name: "db import: an empty file", code: 2, says: /a\.json: not a run file: invalid JSON at line 1, column 1: the file is empty/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, "")] }) },
    { name: "db import: a run file cut short", code: 2, says: /a\.json: not a run file: invalid JSON at line \d+, column \d+: the text ends early/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, runJson().slice(0, 700))] }) },
    { name: "db import: JSON nested 100 000 levels (no stack overflow)", code: 2, says: /a\.json: not a run file: invalid JSON at line 1, column \d+: nesting deeper than 32 levels/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, deep(100_000))] }) },
    { name: "db import: a JSON array", code: 2, says: /a\.json: \(the file\): expected a run file/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, "[1, 2]")] }) },
    importRefuses("db import: summary {} beside measurements (accepted once, then refused forever)", (f) => (f.configs[0].summary = {}), /configs\[0\]\.summary\.explain\.decodeTps: missing, but the measurements have this metric/),
    importRefuses("db import: values of 1.7e308 (their mean overflows to Infinity)", (f) => {
        // what a stable mean gives, written as bench would: the reader's own mean of these overflows
        for (const m of f.configs[0].measurements) if (m.prompt === "explain") m.metrics.e2eMs = 1.7e308;
        f.configs[0].summary.explain.e2eMs = { n: 3, mean: 1.7e308, sd: 0, median: 1.7e308, min: 1.7e308, max: 1.7e308 };
    }, /metrics\.e2eMs: values so large that their mean or spread overflows/),
    importRefuses("db import: config id `.`", (f) => (f.configs[0].id = "."), /configs\[0\]\.id: expected a config id usable in a file name and a URL/),
    importRefuses("db import: config id `..`", (f) => (f.configs[0].id = ".."), /configs\[0\]\.id: expected a config id usable in a file name and a URL/),
    importRefuses("db import: config id holding NUL", (f) => (f.configs[0].id = "a\u0000b"), /configs\[0\]\.id: expected a config id usable/),
    importRefuses("db import: config id `../../etc`", (f) => (f.configs[0].id = "../../etc"), /configs\[0\]\.id: expected a config id usable/),
    importRefuses("db import: run id `../escaped`", (f) => (f.run.id = "../escaped"), /run\.id: expected a run id usable as a file name/),
    importRefuses("db import: a shard count of a billion", (f) => (f.run.shard = { index: 1, count: 1e9 }), /run\.shard\.count: expected/),
    importRefuses("db import: a prompt measured as `quality`", (f) => { for (const m of f.configs[0].measurements) if (m.prompt === "explain") m.prompt = "quality"; }, /measurements\[0\]\.prompt: expected a prompt id that is not `quality`/, true),
    importRefuses("db import: one id measured as a prompt and a test", (f) => { f.configs[0].measurements[3].prompt = "explain"; f.configs[0].measurements[3].rep = 9; }, /measurements\[3\]\.kind: `explain` is measured as `prompt` and as `tg`/, true),
    { name: "db import: prompt and metric named __proto__ and constructor (kept, and import again is the same run)", code: 0, says: /imported 1 run\(s\)/,
        setup: (r) => {
            const config = makeConfig("c1");
            config.measurements = [0, 1].map((rep) => ({ kind: "prompt" as const, prompt: "__proto__", rep, metrics: JSON.parse(`{"__proto__": ${rep + 1}, "constructor": 2}`) }));
            config.outputs = JSON.parse("{\"__proto__\": \"x\"}");
            config.warnings = [];
            return { argv: [], command: ["db", "import", ...db(r), runsWith(r, runFileText(toRunFile(makeRun(), [config], { baseDir, homeDir })))] };
        },
        after: (r) => {
            const store = Store.open(path.join(r, "bench.db"));
            const back = store.getRun(runId)!;
            store.close();
            expect(Object.keys(back.configs[0]!.summary)).toEqual(["__proto__"]);
            expect(Object.keys(back.configs[0]!.measurements[0]!.metrics)).toEqual(["__proto__", "constructor"]);
            expect(runFileText(toRunFile(back.run, back.configs, { baseDir, homeDir }))).toBe(readFileSync(path.join(r, "runs", "a.json"), "utf8"));
        } },
    { name: "db import: a bidi override in the suite name (imported; shown escaped)", code: 0, says: /imported 1 run\(s\)/,
        setup: (r) => ({ argv: [], command: ["db", "import", ...db(r), runsWith(r, runJson((f) => (f.run.suite.name = "evil\u202egnp")))] }) },
    { name: "db import: one run id in two files with other content", code: 2, says: /b\.json: run .* is also in .*a\.json, with other content/,
        setup: (r) => { runsWith(r, runJson()); return { argv: [], command: ["db", "import", ...db(r), runsWith(r, runJson((f) => (f.configs[0].label = "other")), "b.json")] }; } },
    { name: "db rebuild: a link among the run files (the database left as it was)", code: 2, says: /a\.json: not a run file: a symbolic link/, hides: secret,
        setup: (r) => { linkedSecret(r); runsWith(r, runJson(), "b.json"); return { argv: [], command: ["db", "rebuild", ...db(r), path.join(r, "runs")] }; } },
    { name: "db rebuild: a FIFO among the run files (no hang)", code: 2, says: /a\.json: not a run file: a FIFO/,
        setup: (r) => { fifo(r); return { argv: [], command: ["db", "rebuild", ...db(r), path.join(r, "runs")] }; } },
    { name: "db show: a link to a secret file", code: 2, says: /a\.json: not a run file: a symbolic link/, hides: secret,
        setup: (r) => ({ argv: [], command: ["db", "show", ...db(r), path.join(linkedSecret(r), "a.json")] }) },
    { name: "db show: a FIFO (no hang)", code: 2, says: /a\.json: not a run file: a FIFO/,
        setup: (r) => ({ argv: [], command: ["db", "show", ...db(r), fifo(r)] }) },
    { name: "db show: a text file that is not JSON", code: 2, says: /a\.json: not a run file: invalid JSON at line 1, column 1/, hides: secret,
        setup: (r) => ({ argv: [], command: ["db", "show", ...db(r), path.join(runsWith(r, secret), "a.json")] }) },
    { name: "db show: nested 100 000 levels", code: 2, says: /nesting deeper than 32 levels/,
        setup: (r) => ({ argv: [], command: ["db", "show", ...db(r), path.join(runsWith(r, deep(100_000)), "a.json")] }) },
    { name: "db show --format json: what import accepted comes back byte for byte", code: 0, says: new RegExp(`"id": "${runId}"`),
        setup: (r) => {
            runsWith(r, runJson());
            execFileSync(process.execPath, ["--import", "tsx", "runner/cli/cli.ts", "db", "import", ...db(r), path.join(r, "runs")], { stdio: "ignore" });
            return { argv: [], command: ["db", "show", ...db(r), runId, "--format", "json"] };
        } },
    { name: "db show: run `constructor` (no such run, not Object's)", code: 2, says: /constructor/,
        setup: (r) => { openDatabase(path.join(r, "bench.db")).close(); return { argv: [], command: ["db", "show", ...db(r), "constructor"] }; } },
    { name: "a command named `__proto__`", code: 2, says: /unknown command `__proto__`/, setup: () => ({ argv: [], command: ["__proto__"] }) },
    { name: "a command named `constructor`", code: 2, says: /unknown command `constructor`/, setup: () => ({ argv: [], command: ["constructor"] }) }
];

const compares: Case[] = [
    { name: "compare: a folder holding a link to a secret file", code: 2, says: /a\.json: not a run file: a symbolic link/, hides: secret,
        setup: (r) => ({ argv: [], command: ["compare", ...db(r), linkedSecret(r), linkedSecret(r, "b.json")] }) },
    { name: "compare: a FIFO as the baseline (no hang)", code: 2, says: /a\.json: not a run file: a FIFO/,
        setup: (r) => ({ argv: [], command: ["compare", ...db(r), fifo(r), path.join(runsWith(r, runJson(), "b.json"), "b.json")] }) },
    { name: "compare: a candidate nested 100 000 levels", code: 2, says: /nesting deeper than 32 levels/,
        setup: (r) => ({ argv: [], command: ["compare", ...db(r), path.join(runsWith(r, runJson()), "a.json"), path.join(runsWith(r, deep(100_000), "b.json"), "b.json")] }) },
    { name: "compare: a candidate that is not JSON", code: 2, says: /b\.json: not a run file: invalid JSON at line 1, column 1/, hides: secret,
        setup: (r) => ({ argv: [], command: ["compare", ...db(r), path.join(runsWith(r, runJson()), "a.json"), path.join(runsWith(r, secret, "b.json"), "b.json")] }) },
    { name: "compare: a config id `..` on one side", code: 2, says: /configs\[0\]\.id: expected a config id usable/,
        setup: (r) => ({ argv: [], command: ["compare", ...db(r), path.join(runsWith(r, runJson()), "a.json"), path.join(runsWith(r, runJson((f) => (f.configs[0].id = "..")), "b.json"), "b.json")] }) },
    { name: "compare: a run against itself with __proto__ prompts (equal, exit 0)", code: 0, says: /no change beyond 5 %.*\n*.*1 inconclusive/,
        setup: (r) => {
            const config = makeConfig("c1");
            config.measurements = [0, 1, 2].map((rep) => ({ kind: "prompt" as const, prompt: "__proto__", rep, metrics: { decodeTps: 10 + rep } }));
            config.outputs = {};
            config.warnings = [];
            const file = path.join(runsWith(r, runFileText(toRunFile(makeRun(), [config], { baseDir, homeDir }))), "a.json");
            // a run against itself only with --same-run (issue 17: otherwise nothing changed between the sides, exit 2)
            return { argv: [], command: ["compare", ...db(r), file, file, "--same-run", "--format", "md"] };
        } }
];

const reports: Case[] = [
    { name: "report --out a folder holding .git and files (nothing touched)", code: 2, says: /--out `.*mine`: refused: the folder holds files that no report build wrote/,
        setup: (r) => {
            runsWith(r, runJson());
            mkdirSync(path.join(r, "mine", ".git"), { recursive: true });
            writeFileSync(path.join(r, "mine", ".git", "HEAD"), "ref: refs/heads/main\n");
            writeFileSync(path.join(r, "mine", "notes.md"), "mine\n");
            return { argv: [], command: report(r, path.join(r, "mine")) };
        } },
    { name: "report --out the results folder", code: 2, says: /--out `.*runs`: refused: it is the results folder/,
        setup: (r) => { runsWith(r, runJson()); return { argv: [], command: report(r, path.join(r, "runs")) }; } },
    { name: "report --out the folder holding the results and the database", code: 2, says: /refused: it holds the results folder/,
        setup: (r) => { runsWith(r, runJson()); return { argv: [], command: report(r, r) }; } },
    { name: "report --out a file", code: 2, says: /--out `.*notes\.txt`: refused: it is a file/,
        setup: (r) => { runsWith(r, runJson()); writeFileSync(path.join(r, "notes.txt"), "x"); return { argv: [], command: report(r, path.join(r, "notes.txt")) }; } },
    { name: "report --out a link to a folder", code: 2, says: /--out `.*site`: refused: it is a link/,
        setup: (r) => { runsWith(r, runJson()); mkdirSync(path.join(r, "elsewhere")); symlinkSync(path.join(r, "elsewhere"), path.join(r, "site")); return { argv: [], command: report(r, path.join(r, "site")) }; } },
    { name: "report --out /", code: 2, says: /--out `\/`: refused: it holds the results folder/,
        setup: (r) => { runsWith(r, runJson()); return { argv: [], command: report(r, "/") }; } },
    { name: "report: a FIFO among the run files (no hang, nothing built)", code: 2, says: /a\.json: not a run file: a FIFO/,
        setup: (r) => { fifo(r); return { argv: [], command: report(r, path.join(r, "site")) }; } },
    { name: "report: a link among the run files", code: 2, says: /a\.json: not a run file: a symbolic link/, hides: secret,
        setup: (r) => ({ argv: [], command: report(r, path.join(r, "site"), linkedSecret(r)) }) },
    { name: "report: a config id `..` (refused on import, not a crash in the build)", code: 2, says: /configs\[0\]\.id: expected a config id usable/,
        setup: (r) => ({ argv: [], command: report(r, path.join(r, "site"), runsWith(r, runJson((f) => (f.configs[0].id = "..")))) }) },
    { name: "report: a shard count of 2^31", code: 2, says: /run\.shard\.count: expected/,
        setup: (r) => ({ argv: [], command: report(r, path.join(r, "site"), runsWith(r, runJson((f) => (f.run.shard = { index: 1, count: 2 ** 31 })))) }) }
];

/** GGUF v3 with one metadata key `general.alignment` (uint32) set to `alignment`, and no tensors. */
const alignedGguf = (alignment: number) => rawGguf(3, 0n, 1n, Buffer.concat([ggufString("general.alignment"), u32(4), u32(alignment)]));
const clones: Case[] = [
    { name: "clone (ad hoc) of a header claiming a 2^31 alignment", code: 2, says: /general\.alignment 2147483648 is over 65536|alignment/,
        setup: (r) => { writeFileSync(path.join(r, "big.gguf"), alignedGguf(2 ** 31)); return { argv: ["--model", `like:${path.join(r, "big.gguf")}`, "--prompt", "hi", ...store(r)] }; } },
    { name: "bench --dry-run of a clone whose header claims a 2^31 alignment (no 2 GiB file)", code: 2, says: /synthetic clone of big\.gguf: .*big\.gguf: not a GGUF model this tool can read \(general\.alignment 2147483648 is over 65536\)/,
        setup: (r) => {
            writeFileSync(path.join(r, "big.gguf"), alignedGguf(2 ** 31));
            return { argv: [suite(r, `name: c\nmodels: [{ synthetic: { like: ${path.join(r, "big.gguf")} } }]\n${tail}`), "--dry-run", ...store(r)] };
        },
        after: (r) => expect([...snapshotTree(r).values()].every((what) => !what.startsWith("file:") || Number(what.split(":")[1]) < 2 ** 20)).toBe(true) },
    { name: "a local GGUF whose metadata arrays nest 100 000 deep (no stack overflow)", code: 2, says: /arrays nested deeper than 8/,
        setup: (r) => {
            const levels = Array.from({ length: 100_000 }, () => Buffer.concat([u32(9), u64(1n)]));
            return { argv: [ggufPath(r, rawGguf(3, 0n, 1n, Buffer.concat([ggufString("k"), u32(9), ...levels, u32(0), u64(0n)]))), ...store(r)] };
        } },
    { name: "--shard 1/1000000000", code: 2, says: /--shard: expected K\/N with 1 <= K <= N <= 10000/,
        setup: (r) => ({ argv: [synthetic(r), "--shard", "1/1000000000", ...store(r)] }) },
    { name: "--shard 1/4 of a one-config suite", code: 2, says: /--shard 1\/4: c has 1 config\(s\), so N may be at most 1/,
        setup: (r) => ({ argv: [synthetic(r), "--shard", "1/4", "--dry-run", ...store(r)] }) },
    // a run checks the cache with the other output places before anything runs (it used to spin in Node's recursive mkdir)
    { name: "a model cache that cannot be created (/proc/1/…: no spin)", code: 2, says: /model cache \/proc\/1\/gguf-bench-cache: cannot (write in|create) .*\(E[A-Z]+\)$/,
        setup: (r) => ({ argv: [synthetic(r), ...store(r)], env: { GGUF_BENCH_CACHE: "/proc/1/gguf-bench-cache" } }) },
    // a dry run writes nothing, so it never needs the cache: its plan comes out whatever the cache folder is
    { name: "a dry run with a model cache that cannot be created (writes nothing, plans anyway)", code: 0, says: /nothing was run or stored/,
        setup: (r) => ({ argv: [synthetic(r), "--dry-run", ...store(r)], env: { GGUF_BENCH_CACHE: "/proc/1/gguf-bench-cache" } }) }
];

describe("the hostile corpus: how each case ends, nothing written outside the cache, the database and the results folder", () => {
    for (const [group, cases] of [["suites", suites], ["GGUF files", ggufs], ["arguments", args], ["environment", envs], ["Hub answers", hubs],
        ["run files and db", runFiles], ["compare", compares], ["report", reports], ["clones, shards and the cache", clones]] as const) {
        describe(group, () => {
            for (const c of cases)
                it(`${c.name} → exit ${c.code}`, async () => {
                    hub.requests.length = 0;
                    await runCase(c);
                }, 60_000);
        });
    }

    describe("read-only places (found before anything runs, not after the whole run)", () => {
        it.skipIf(!readOnlyWorks)("a read-only results folder → exit 2", async () => {
            await runCase({
                name: "read-only results", code: 2, says: /results folder .*runs: cannot write in .*runs \((EPERM|EACCES)\)$/,
                setup: (r) => { makeReadOnly(path.join(r, "runs")); return { argv: [synthetic(r), ...store(r)] }; },
                cleanup: (r) => undoReadOnly(path.join(r, "runs"))
            });
        });

        it.skipIf(!readOnlyWorks)("a read-only folder for the database → exit 2", async () => {
            await runCase({
                name: "read-only database folder", code: 2, says: /folder of the database .*: cannot write in .*dbs \((EPERM|EACCES)\)$/,
                setup: (r) => { makeReadOnly(path.join(r, "dbs")); return { argv: [synthetic(r), "--db", path.join(r, "dbs", "bench.db"), "--results", path.join(r, "runs")] }; },
                cleanup: (r) => undoReadOnly(path.join(r, "dbs"))
            });
        });
    });

    it("holds at least 40 cases, and 40 more against run files, db, compare, report and clones", () => {
        expect(suites.length + ggufs.length + args.length + envs.length + hubs.length).toBeGreaterThanOrEqual(40);
        expect(runFiles.length + compares.length + reports.length + clones.length).toBeGreaterThanOrEqual(40);
    });
});
