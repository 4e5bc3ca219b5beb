/** Human-readable durations from milliseconds: `0.42 ms`, `12.3 ms`, `850 ms`, `1.25 s`, `12.3 s`, `2 min 5 s`, `1 h 2 min`. */

/** Formats milliseconds with about three significant digits, switching to s, min and h as the value grows. */
export function formatMs(ms: number): string {
    if (Number.isNaN(ms)) return "? ms";
    if (!Number.isFinite(ms)) return ms > 0 ? "∞" : "-∞";
    if (ms < 0) return "-" + formatMs(-ms);

    if (ms < 0.995) return `${ms.toFixed(2)} ms`;
    if (ms < 99.95) return `${ms.toFixed(1)} ms`;
    if (ms < 999.5) return `${Math.round(ms)} ms`;

    const s = ms / 1000;
    if (s < 9.995) return `${s.toFixed(2)} s`;
    if (s < 59.95) return `${s.toFixed(1)} s`;

    const totalSeconds = Math.round(s);
    if (totalSeconds < 3600) {
        const minutes = Math.floor(totalSeconds / 60);
        const seconds = totalSeconds % 60;
        return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
    }
    const totalMinutes = Math.round(totalSeconds / 60);
    const hours = Math.floor(totalMinutes / 60);
    const minutes = totalMinutes % 60;
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}
