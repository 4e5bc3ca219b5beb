/** JSON with object keys sorted at every level: equal data gives equal text, whatever order it was built in. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
    if (typeof value !== "object" || value === null) return value;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined) sorted[key] = sortKeys(item);
    }
    return sorted;
}
