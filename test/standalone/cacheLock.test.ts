/**
 * The model cache across processes and interruptions: two runs downloading the same file share one download (a lock
 * beside the blob), a lock left by a dead process is taken over, and Ctrl-C (an abort) stops a download at once,
 * keeping what arrived so that the next run resumes it.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withCacheLock } from "../../runner/models/cacheLock.ts";
import { downloadHubFile } from "../../runner/models/hub/hub.ts";
import { startFakeHub, type FakeHub } from "./fakeHub.ts";

const run = promisify(execFile);
const content = randomBytes(400_000);
let hub: FakeHub;
let dir: string;

beforeAll(async () => {
    hub = await startFakeHub({ repos: { "acme/m-GGUF": { files: [{ path: "m-Q8_0.gguf", content }] } } });
});
afterAll(() => hub.close());
afterEach(async () => {
    hub.requests.length = 0;
    if (dir != null) await rm(dir, { recursive: true, force: true });
});
const fresh = async () => (dir = await mkdtemp(path.join(tmpdir(), "gguf-bench-lock-")));

/** Polls `condition` every 20 ms (no wall-clock limit here: the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** downloadOnce.ts in its own process; resolves with the snapshot path it prints. */
function startDownload(fixture: string, cache: string) {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, hub.endpoint, cache, "acme/m-GGUF", "m-Q8_0.gguf"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const done = new Promise<string>((resolve, reject) => child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`)))));
    return { pid: child.pid!, done, stderr: () => stderr };
}

describe("withCacheLock", () => {
    it("waits while a live process holds the lock, then runs", async () => {
        const lock = path.join(await fresh(), "x.lock");
        await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname() }));
        const order: string[] = [];
        let waitedFor = "";
        const pending = withCacheLock(lock, async () => void order.push("work"), { pollMs: 20, onWait: (owner) => (waitedFor = owner) });
        await new Promise((resolve) => setTimeout(resolve, 200));
        order.push("released");
        await rm(lock);
        await pending;
        expect(order).toEqual(["released", "work"]);
        expect(waitedFor).toBe(`process ${process.pid} on ${hostname()}`);
        expect(existsSync(lock)).toBe(false);
    });

    it("takes over the lock of a process that is gone, and one left untouched too long", async () => {
        const lock = path.join(await fresh(), "x.lock");
        const { stdout } = await run(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
        await writeFile(lock, JSON.stringify({ pid: Number(stdout), host: hostname() }));
        expect(await withCacheLock(lock, async () => "ran", { pollMs: 20 })).toBe("ran");

        await writeFile(lock, JSON.stringify({ pid: 1, host: "another-machine" }));
        const old = new Date(Date.now() - 120_000);
        await utimes(lock, old, old);
        expect(await withCacheLock(lock, async () => "ran", { pollMs: 20, staleMs: 60_000 })).toBe("ran");
    });

    it("stops waiting when aborted", async () => {
        const lock = path.join(await fresh(), "x.lock");
        await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname() }));
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        await expect(withCacheLock(lock, async () => "ran", { pollMs: 20, signal: controller.signal })).rejects.toThrow(/abort/i);
    });
});

describe("downloads across processes and interruptions", () => {
    it("two processes fetching the same file into one cache: one download, the other waits for it and reuses it", async () => {
        const cache = path.join(await fresh(), "cache");
        const fixture = fileURLToPath(new URL("./fixtures/downloadOnce.ts", import.meta.url));
        const release = hub.holdDownloads();
        try {
            const first = startDownload(fixture, cache);
            await until(() => hub.requests.some((r) => r.server === "cdn" && r.method === "GET"));
            // the first process is mid-download (its body held by the CDN): the second must wait on the lock
            const second = startDownload(fixture, cache);
            await until(() => second.stderr().includes("waiting for process"));
            expect(second.stderr()).toContain(`waiting for process ${first.pid} on ${hostname()}`);
            release();
            const [a, b] = await Promise.all([first.done, second.done]);
            expect(a).toBe(b);
            expect(await readFile(a)).toEqual(content);
        } finally {
            release();
        }
        expect(hub.requests.filter((r) => r.server === "cdn" && r.method === "GET")).toHaveLength(1);
        const blobs = await readdir(path.join(cache, "models--acme--m-GGUF", "blobs"));
        expect(blobs.filter((name) => !/^[0-9a-f]{64}$/.test(name))).toEqual([]); // no lock or .incomplete left
    }, 60_000);

    it("an abort (Ctrl-C) stops a download at once and keeps the part for the next run, which resumes it", async () => {
        const cache = path.join(await fresh(), "cache");
        const controller = new AbortController();
        // the CDN holds the second half back until released: a download that did not stop on the abort would
        // never settle here, and the test would time out
        const release = hub.holdDownloads();
        try {
            await expect(downloadHubFile("acme/m-GGUF", "main", "m-Q8_0.gguf", {
                endpoint: hub.endpoint, cacheDir: cache, signal: controller.signal, onProgress: () => controller.abort()
            })).rejects.toThrow(/abort/i);
        } finally {
            release();
        }
        const blobs = path.join(cache, "models--acme--m-GGUF", "blobs");
        const left = await readdir(blobs);
        expect(left).toHaveLength(1);
        expect(left[0]).toMatch(/\.incomplete$/);
        expect((await stat(path.join(blobs, left[0]!))).size).toBeGreaterThan(0);

        const pointer = await downloadHubFile("acme/m-GGUF", "main", "m-Q8_0.gguf", { endpoint: hub.endpoint, cacheDir: cache });
        expect(await readFile(pointer)).toEqual(content);
        expect(hub.requests.filter((r) => r.server === "cdn" && r.method === "GET").at(-1)?.range).toMatch(/^bytes=\d+-$/);
    });
});
