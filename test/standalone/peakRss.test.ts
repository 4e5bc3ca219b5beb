import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { libuvNormalisesMaxRss, maxRssToBytes, readPeakRssBytes, vmHwmBytes } from "../../runner/measure/peakRss.ts";

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

test("VmHWM is read from /proc/<pid>/status in kB", () => {
    expect(vmHwmBytes("Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   43120 kB\nVmRSS:\t 40000 kB\n")).toBe(43120 * 1024);
    expect(vmHwmBytes("Name:\tnode\n")).toBeUndefined();
    expect(vmHwmBytes(undefined)).toBeUndefined();
});

test.runIf(process.platform === "linux")("a child of a large process reports its own peak, not its parent's", () => {
    const ballast = Buffer.alloc(512 * 1024 * 1024, 1); // this process: at least 512 MiB resident
    const child = Number(execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fixtures/printPeakRss.ts", import.meta.url))], { encoding: "utf8" }));
    expect(readPeakRssBytes()).toBeGreaterThan(ballast.length);
    expect(child).toBeGreaterThan(10 * 1024 * 1024);
    expect(child).toBeLessThan(ballast.length / 2); // getrusage's maxRSS would say 512 MiB or more
});
