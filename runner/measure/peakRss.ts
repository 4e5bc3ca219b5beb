/**
 * The process's RSS high-water mark in bytes: on Linux the kernel's `VmHWM` of this process (/proc/self/status),
 * elsewhere getrusage through `process.resourceUsage().maxRSS`.
 *
 * Why not getrusage on Linux: its `ru_maxrss` also keeps the high-water mark the process had before it exec'd
 * (the kernel's exec_mmap folds the old mm's into signal->maxrss), and a child that Node forks starts as a copy of
 * its parent. So every measure child reported at least the bench parent's RSS at fork time: a child of a 462 MB
 * parent read 424 MB from getrusage and 43 MB from VmHWM (measured). VmHWM is the child's own.
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

/** `VmHWM` of a /proc/<pid>/status text in bytes, or undefined when it has none. */
export function vmHwmFromStatus(status: string): number | undefined {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match == null ? undefined : Number(match[1]) * 1024;
}

/** This process's peak resident set size in bytes. */
export function readPeakRssBytes(): number {
    if (process.platform === "linux") {
        try {
            const hwm = vmHwmFromStatus(readFileSync("/proc/self/status", "utf8"));
            if (hwm != null) return hwm;
        } catch {
            // no /proc: getrusage below
        }
    }
    return maxRssToBytes(process.resourceUsage().maxRSS, process.platform, process.versions.uv ?? "0.0.0");
}
