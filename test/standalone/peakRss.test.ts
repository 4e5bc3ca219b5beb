import { expect, test } from "vitest";
import { libuvNormalisesMaxRss, maxRssToBytes } from "../../runner/measure/peakRss.ts";
import { oversubscriptionWarning, resolveThreads } from "../../runner/measure/resolveThreads.ts";

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

test("threads: auto keeps one logical core for Node when llama.cpp's choice would take them all", () => {
    // 2-core VM (this CI machine): cpuMathCores 2 of 2 logical → 1
    expect(resolveThreads("auto", { cpuMathCores: 2, logicalCores: 2 })).toBe(1);
    // 4 physical cores with SMT (8 logical): a spare sibling exists → llama.cpp's own 4
    expect(resolveThreads("auto", { cpuMathCores: 4, logicalCores: 8 })).toBe(4);
    // Apple M-series 8P+4E: cpuMathCores counts performance cores only → 8
    expect(resolveThreads("auto", { cpuMathCores: 8, logicalCores: 12 })).toBe(8);
    // one core: never 0
    expect(resolveThreads("auto", { cpuMathCores: 1, logicalCores: 1 })).toBe(1);
    // an explicit number is kept as written
    expect(resolveThreads(3, { cpuMathCores: 8, logicalCores: 8 })).toBe(3);
});

test("oversubscription warns only when no logical core is left, and says what to try", () => {
    expect(oversubscriptionWarning(1, 2)).toBeUndefined();
    expect(oversubscriptionWarning(7, 8)).toBeUndefined();
    const warning = oversubscriptionWarning(2, 2);
    expect(warning).toContain("threads=2 on 2 logical cores");
    expect(warning).toContain("try threads: 1");
    expect(oversubscriptionWarning(8, 8)).toContain("try threads: 7");
});
