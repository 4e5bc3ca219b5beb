/** Human-readable byte counts in binary units: `980 B`, `512 MiB`, `1.2 GiB`. */

const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * Formats a byte count with binary (1024) units: one decimal below 10 of a unit, whole numbers above,
 * plain bytes below 1 KiB. A value that would round up to 1024 of a unit moves to the next unit.
 */
export function formatBytes(bytes: number): string {
    if (Number.isNaN(bytes)) return "? B";
    if (!Number.isFinite(bytes)) return bytes > 0 ? "∞" : "-∞";
    if (bytes < 0) return "-" + formatBytes(-bytes);
    if (bytes < 1024) return `${Math.round(bytes)} B`;

    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    let shown = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
    if (Number(shown) >= 1024 && unit < units.length - 1) {
        unit++;
        shown = (Number(shown) / 1024).toFixed(1);
    }
    return `${shown} ${units[unit]}`;
}
