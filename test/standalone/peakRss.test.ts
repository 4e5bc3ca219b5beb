import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { libuvNormalisesMaxRss, maxRssToBytes, vmHwmFromStatus } from "../../runner/measure/peakRss.ts";

test("maxRSS is KiB on Linux, whatever the libuv", () => {
    expect(maxRssToBytes(39292, "linux", "1.44.2")).toBe(39292 * 1024);
    expect(maxRssToBytes(39292, "linux", "1.51.0")).toBe(39292 * 1024);
});

test("maxRSS on macOS: bytes before libuv 1.45 (nodejs/node#44332), KiB since libuv normalises it", () => {
    expect(maxRssToBytes(32108544, "darwin", "1.44.2")).toBe(32108544);
    expect(maxRssToBytes(31356, "darwin", "1.45.0")).toBe(31356 * 1024);
    expect(maxRssToBytes(31356, "darwin", "1.51.0")).toBe(31356 * 1024);
    expect(libuvNormalisesMaxRss("2.0.0")).toBe(true);
    expect(libuvNormalisesMaxRss("1.9.9")).toBe(false);
});

test("VmHWM is read from /proc/<pid>/status in bytes", () => {
    expect(vmHwmFromStatus("Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   42464 kB\nVmRSS:\t   40000 kB\n")).toBe(42464 * 1024);
    expect(vmHwmFromStatus("Name:\tnode\n")).toBeUndefined();
});

test.runIf(process.platform === "linux")("a forked child's peak is its own, not its parent's RSS at fork time (getrusage keeps that across exec)", async () => {
    const big = Buffer.alloc(300 * 1024 * 1024, 1); // a parent well above a small child's own peak
    const child = fork(fileURLToPath(new URL("./fixtures/peakRssChild.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"] });
    const report = await new Promise<{ peak: number; rss: number }>((resolve, reject) => {
        child.once("message", (message) => resolve(message as { peak: number; rss: number }));
        child.once("error", reject);
    });
    expect(big.length).toBeGreaterThan(0);
    expect(process.memoryUsage.rss()).toBeGreaterThan(300 * 1024 * 1024);
    // the child's own high-water mark: at least what it holds now, far below the parent's 300 MB and more
    expect(report.peak).toBeGreaterThanOrEqual(report.rss);
    expect(report.peak).toBeLessThan(250 * 1024 * 1024);
});
