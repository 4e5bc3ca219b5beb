/** Text files a suite names (prompt files, the quality corpus), read and checked at parse time. */
import fs from "node:fs";
import type { SchemaPath } from "./checkSchema.ts";
import { suitePath } from "./suitePath.ts";

/** Reports bad input at a key: `<file>:<line>:<col> <key>: expected <what>, got <value>`. */
export type Expected = (at: SchemaPath, what: string, value: unknown) => never;

/**
 * A text file named in the suite (relative to its folder, `${NAME}` from the environment: suitePath.ts): must exist, be at most `maxBytes` long, be UTF-8 without
 * NUL bytes and hold some text.
 */
export function readTextFile(at: SchemaPath, written: string, dir: string, expected: Expected, maxBytes: number): { path: string; text: string; bytes: Buffer } {
    const resolved = suitePath(written, dir);
    if ("expected" in resolved) return expected(at, resolved.expected, written);
    const file = resolved.path;
    if (!isFile(file)) expected(at, `an existing file (looked for ${file})`, written);
    const size = fs.statSync(file).size;
    if (size > maxBytes) expected(at, `a text file of at most ${maxBytes} bytes (${formatLimit(maxBytes)}), not one of ${size}`, written);
    const bytes = fs.readFileSync(file);
    let text = "";
    try {
        if (bytes.includes(0)) throw new Error("NUL");
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        expected(at, "a UTF-8 text file (it looks binary)", written);
    }
    if (!/\S/u.test(text)) expected(at, "a file with non-empty text", written);
    return { path: file, text, bytes };
}

export function isFile(file: string): boolean {
    try {
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function formatLimit(bytes: number): string {
    return `${bytes / (1 << 20)} MiB`;
}
