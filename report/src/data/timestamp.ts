/** The one way the report writes an instant: `2026-12-06 07:51:49 UTC` (run files hold ISO instants in UTC). */
export function utcTime(iso: string): string {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
    return match == null ? iso : `${match[1]} ${match[2]} UTC`;
}
