/**
 * Mappings keyed by user data (prompt and test ids, metric names, keys from a run file): a null-prototype object, so
 * that `__proto__`, `constructor` or `toString` are keys like any other, never the prototype or its methods.
 */

/** An empty null-prototype record, or one holding `entries`. */
export function dict<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
    const out = Object.create(null) as Record<string, T>;
    for (const [key, value] of entries) out[key] = value;
    return out;
}

/** `record[key]` when `record` has `key` as its own key; else `undefined` (never an inherited `constructor`). */
export function own<T>(record: Readonly<Record<string, T>> | undefined | null, key: string): T | undefined {
    return record != null && Object.hasOwn(record, key) ? record[key] : undefined;
}
