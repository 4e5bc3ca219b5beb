/**
 * The process's RSS high-water mark in bytes, from getrusage through `process.resourceUsage().maxRSS`.
 *
 * Units: the kernel reports `ru_maxrss` in KiB on Linux (and the BSDs, Windows via libuv) but in bytes on macOS.
 * libuv normalises macOS to KiB in `uv_getrusage` since v1.45.0 (libuv/libuv#3721, fixing nodejs/node#44332),
 * so on every Node this project supports (>= 20.19, libuv >= 1.46) `maxRSS` is KiB everywhere. Older libuv on
 * macOS passed bytes through; the conversion keeps that branch so a number is never off by 1024.
 */

/** `maxRSS` as Node reports it → bytes, given the platform and the libuv version (`process.versions.uv`). */
export function maxRssToBytes(maxRSS: number, platform: NodeJS.Platform, uvVersion: string): number {
    if (platform === "darwin" && !libuvNormalisesMaxRss(uvVersion)) return maxRSS;
    return maxRSS * 1024;
}

/** libuv >= 1.45.0 divides macOS's byte count by 1024. */
export function libuvNormalisesMaxRss(uvVersion: string): boolean {
    const [major = 0, minor = 0] = uvVersion.split(".").map((part) => Number.parseInt(part, 10));
    return major > 1 || (major === 1 && minor >= 45);
}

/** This process's peak resident set size in bytes. */
export function readPeakRssBytes(): number {
    return maxRssToBytes(process.resourceUsage().maxRSS, process.platform, process.versions.uv ?? "0.0.0");
}
