/** Byte sizes as people write them, the inverse of `formatBytes`: `8GiB`, `8 GB`, `512M` (binary), `1073741824`. */

const units = new Map<string, number>([
    ["", 1], ["b", 1], ["k", 1024], ["kb", 1e3], ["kib", 1024], ["m", 1024 ** 2], ["mb", 1e6], ["mib", 1024 ** 2],
    ["g", 1024 ** 3], ["gb", 1e9], ["gib", 1024 ** 3], ["t", 1024 ** 4], ["tb", 1e12], ["tib", 1024 ** 4]
]);

/** Whole bytes > 0, or null when `text` is not a size (an unknown unit, zero, a negative or non-finite number). */
export function parseBytes(text: string | number): number | null {
    if (typeof text === "number") return Number.isFinite(text) && text > 0 ? Math.round(text) : null;
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
    if (match == null) return null;
    const unit = units.get(match[2]!.toLowerCase());
    const bytes = unit == null ? NaN : Number(match[1]) * unit;
    return Number.isFinite(bytes) && bytes >= 1 ? Math.round(bytes) : null;
}
