/**
 * Reads a YAML file defensively and keeps the node positions, so later checks can say `file:line:col`.
 *
 * Refuses, with a one-line InputError, what must not reach the parser: more than 1 MiB, binary or non-UTF-8
 * bytes, nesting deeper than 32 (yaml composes recursively and blows the stack or the heap on deep input),
 * several documents, duplicate keys, syntax errors and alias bombs.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { Lexer, Parser, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { InputError } from "../errors.ts";
import type { SchemaPath } from "./checkSchema.ts";

export const maxSuiteBytes = 1 << 20;
export const maxNesting = 32;
export const maxAliasCount = 50;

export interface Position {
    line: number;
    col: number;
}

export interface LoadedYaml {
    /** sha256 of the file's bytes, hex. */
    sha256: string;
    /** The document as plain data (aliases expanded); `null` for an empty document. */
    value: unknown;
    /** Position of the node at `path` (of its key when `at` is "key"); the nearest existing ancestor if absent. */
    locate(path: SchemaPath, at?: "key" | "value"): Position;
}

/** `shownAs` is the file name used in messages (as the user typed it). */
export function loadYamlFile(file: string, shownAs: string): LoadedYaml {
    const fail = (pos: Position | null, message: string): never => {
        throw new InputError(`${shownAs}${pos ? `:${pos.line}:${pos.col}` : ""} ${message}`);
    };
    let bytes: Buffer;
    try {
        const size = fs.statSync(file).size;
        if (size > maxSuiteBytes) fail(null, `is ${size} bytes: a suite file may be at most ${maxSuiteBytes} bytes (1 MiB)`);
        bytes = fs.readFileSync(file);
    } catch (error) {
        if (error instanceof InputError) throw error;
        return fail(null, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const nul = bytes.indexOf(0);
    let text = "";
    try {
        if (nul >= 0) throw new Error("NUL");
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        fail(null, `looks binary (${nul >= 0 ? `NUL byte at offset ${nul}` : "not valid UTF-8"}): expected a YAML text file`);
    }
    const positionOf = lineIndex(text);

    const tooDeep = findDeepNesting(text);
    if (tooDeep !== null) fail(positionOf(tooDeep), `nesting deeper than ${maxNesting} levels: expected a suite, not a puzzle`);

    const doc = parseDocument(text, { prettyErrors: false, stringKeys: true, uniqueKeys: true, keepSourceTokens: false });
    const [error] = doc.errors;
    if (error) {
        const firstLine = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
        if (error.code === "DUPLICATE_KEY") {
            const rest = text.slice(error.pos[0], text.indexOf("\n", error.pos[0]) >>> 0);
            const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:#\n]*?)\s*:/.exec(rest)?.[1] ?? rest.slice(0, 40);
            fail(positionOf(error.pos[0]), `duplicate key \`${key}\`: each key may appear once per mapping`);
        }
        if (error.code === "MULTIPLE_DOCS") fail(positionOf(error.pos[0]), "several YAML documents: expected one suite per file");
        fail(positionOf(error.pos[0]), `YAML syntax error: ${firstLine}`);
    }
    let value: unknown;
    try {
        value = doc.toJS({ maxAliasCount });
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/alias/i.test(message)) fail(null, `expands aliases too often (more than ${maxAliasCount}): refusing a possible alias bomb`);
        fail(null, `cannot be read as data: ${message}`);
    }

    return {
        sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
        value: value ?? null,
        locate(path, at = "value") {
            return positionOf(offsetAt(doc, path, at));
        }
    };
}

/** Offset of the node at `path`, following aliases; the nearest ancestor's when the path does not exist. */
function offsetAt(doc: Document, path: SchemaPath, at: "key" | "value"): number {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const [i, part] of path.entries()) {
        if (isAlias(node)) node = node.resolve(doc);
        let next: unknown;
        if (isMap(node)) {
            const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
            if (!pair) break;
            const keyStart = (pair.key as Node).range?.[0];
            if (i === path.length - 1 && at === "key" && keyStart !== undefined) return keyStart;
            next = pair.value;
            if (!next && keyStart !== undefined) return keyStart;
        } else if (isSeq(node) && typeof part === "number") {
            next = node.items[part];
        }
        const start = (next as Node | null | undefined)?.range?.[0];
        if (start === undefined) break;
        node = next;
        offset = start;
    }
    return offset;
}

/**
 * Offset of the first node nested deeper than `maxNesting`, or null. A lexer pass catches long runs of `[`, `{`,
 * `-` or `?` in linear time; the parser's syntax tree, walked without recursion, gives the exact depth.
 */
/** Tokens the yaml lexer inserts that take no room in the source: document start, flow end, scalar start. */
const lexerMarkers = new Set(["\x02", "\x18", "\x1f"]);

function findDeepNesting(text: string): number | null {
    let offset = 0;
    let flow = 0;
    let indicators = 0;
    for (const token of new Lexer().lex(text)) {
        if (token === "[" || token === "{") flow++;
        else if (token === "]" || token === "}") flow = Math.max(0, flow - 1);
        else if (token === "-" || token === "?") indicators++;
        else if (token.includes("\n")) indicators = 0;
        if (flow + indicators > maxNesting) return offset;
        if (!lexerMarkers.has(token)) offset += token.length;
    }
    const stack: { token: unknown; depth: number }[] = [];
    for (const token of new Parser().parse(text)) stack.push({ token, depth: 0 });
    while (stack.length > 0) {
        const { token, depth } = stack.pop()!;
        if (typeof token !== "object" || token === null) continue;
        const t = token as { offset?: number; value?: unknown; items?: { key?: unknown; value?: unknown }[] };
        if (depth > maxNesting) return t.offset ?? 0;
        if (t.value !== undefined && typeof t.value === "object") stack.push({ token: t.value, depth });
        for (const item of t.items ?? []) {
            stack.push({ token: item.key, depth: depth + 1 });
            stack.push({ token: item.value, depth: depth + 1 });
        }
    }
    return null;
}

/** Offset → 1-based line and column. */
function lineIndex(text: string): (offset: number) => Position {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return (offset) => {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid]! <= offset) lo = mid;
            else hi = mid - 1;
        }
        return { line: lo + 1, col: offset - starts[lo]! + 1 };
    };
}
