/** Exit codes (README.md, "Commands") and the one error type that means "bad input, nothing ran". */

export const exitCodes = {
    ok: 0,
    /** The run was recorded but some configs failed, crashed or timed out (compare: a regression). */
    someFailed: 1,
    /** Invalid input: nothing ran, the database is untouched. */
    invalidInput: 2,
    /** Interrupted: the partial run is saved. */
    interrupted: 130
} as const;

/**
 * Bad input found before anything ran. `message` is one line that names the file (with line:col where known),
 * the key or value, what was expected and what was found.
 */
export class InputError extends Error {
    override readonly name = "InputError";
    readonly exitCode = exitCodes.invalidInput;
}

/** `Expected `key` to be X, got `value` (type)` in p-queue's style. */
export function describeValue(value: unknown): string {
    const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    let shown: string;
    try {
        shown = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    } catch {
        shown = String(value);
    }
    if (shown.length > 60) shown = shown.slice(0, 57) + "...";
    return `\`${shown}\` (${type})`;
}

/** The first line of an error's message (a config's `error` and a failed reference are one line). */
export function firstLine(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n")[0] ?? message;
}
