/**
 * The process's RSS high-water mark in bytes: on Linux the kernel's `VmHWM` of this process's own memory, elsewhere
 * getrusage through `process.resourceUsage().maxRSS`.
 *
 * Not getrusage on Linux: a spawned child's `ru_maxrss` keeps the high-water mark of the memory it had before its
 * exec, which is its parent's, so a child of a 600 MiB parent reports at least 600 MiB however little it uses
 * (measured: VmHWM 43 MiB, maxRSS 604 MiB). The bench parent grows while it writes a clone of a model with a large
 * vocabulary, and a test runner's workers are children of a large process; `VmHWM` counts only the child's own.
 *
 * Units: the kernel reports `ru_maxrss` in KiB on Linux (and the BSDs, Windows via libuv) but in bytes on macOS.
 * libuv normalises macOS to KiB in `uv_getrusage` since v1.45.0 (libuv/libuv#3721, fixing nodejs/node#44332),
 * so on every Node this project supports (>= 20.19, libuv >= 1.46) `maxRSS` is KiB everywhere. Older libuv on
 * macOS passed bytes through; the conversion keeps that branch so a number is never off by 1024.
 */
import { readFileSync } from "node:fs";

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

let highestRead = 0;

/**
 * This process's peak resident set size in bytes; never below an earlier read (the kernel syncs its counters
 * lazily, so a later VmHWM read came out 190 KiB below an earlier one).
 */
export function readPeakRssBytes(): number {
    const hwm = process.platform === "linux" ? vmHwmBytes(readProcStatus()) : undefined;
    highestRead = Math.max(highestRead, hwm ?? maxRssToBytes(process.resourceUsage().maxRSS, process.platform, process.versions.uv ?? "0.0.0"));
    return highestRead;
}

/** `VmHWM` of a /proc/<pid>/status text, in bytes; undefined when it has none. */
export function vmHwmBytes(status: string | undefined): number | undefined {
    const match = status?.match(/^VmHWM:\s+(\d+)\s+kB$/m);
    return match == null ? undefined : Number(match[1]) * 1024;
}

function readProcStatus(): string | undefined {
    try {
        return readFileSync("/proc/self/status", "utf8");
    } catch {
        return undefined;
    }
}
