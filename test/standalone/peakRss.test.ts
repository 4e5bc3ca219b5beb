import { expect, test } from "vitest";
import { libuvNormalisesMaxRss, maxRssToBytes } from "../../runner/measure/peakRss.ts";

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
