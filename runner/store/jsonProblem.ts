/**
 * Where a JSON text breaks, and how deep it nests, found without recursion and without quoting the text: an error
 * about a file that is not valid JSON says where it broke (line and column), never what it held (a link to a system
 * file must not print its first bytes). Nesting deeper than the bound is refused before anything recurses into it.
 */

export interface JsonProblem {
    /** 1-based line and column of the offending character (or of the end of the text). */
    line: number;
    column: number;
    /** What went wrong, in words that quote nothing of the text. */
    problem: string;
}

/** The deepest nesting a run file may have (it needs 6: configs → config → quality → positions → column → value). */
export const maxJsonDepth = 32;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** The first problem of `text` as JSON (syntax, or nesting deeper than `maxDepth`); null when it is valid JSON. */
export function jsonProblem(text: string, maxDepth = maxJsonDepth): JsonProblem | null {
    let i = 0;
    const n = text.length;
    // what the parser expects next inside each open container: "value" | "key" | "colon" | "comma-or-close"
    const stack: ("[" | "{")[] = [];
    let expect: "value" | "key" | "colon" | "after" | "value-or-close" | "key-or-close" = "value";
    const at = (offset: number, problem: string): JsonProblem => {
        let line = 1;
        let lineStart = 0;
        for (let k = 0; k < offset && k < n; k++) if (text.charCodeAt(k) === 0x0a) (line++, lineStart = k + 1);
        return { line, column: offset - lineStart + 1, problem };
    };
    const skipSpace = () => { while (i < n && isSpace(text.charCodeAt(i))) i++; };
    const string = (): JsonProblem | null => {
        i++;
        while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 0x22) return (i++, null);
            if (c < 0x20) return at(i, "a control character inside a string");
            if (c === 0x5c) {
                const e = text[i + 1];
                if (e === "u") {
                    if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return at(i, "a bad \\u escape");
                    i += 6;
                } else if (e != null && "\"\\/bfnrt".includes(e)) i += 2;
                else return at(i, "a bad escape");
            } else i++;
        }
        return at(n, "the text ends early, inside a string (truncated?)");
    };
    const number = (): JsonProblem | null => {
        const start = i;
        if (text[i] === "-") i++;
        if (text[i] === "0") i++;
        else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
        else return at(start, "a malformed number");
        if (text[i] === ".") {
            i++;
            if (!isDigit(text.charCodeAt(i))) return at(start, "a malformed number");
            while (isDigit(text.charCodeAt(i))) i++;
        }
        if (text[i] === "e" || text[i] === "E") {
            i++;
            if (text[i] === "+" || text[i] === "-") i++;
            if (!isDigit(text.charCodeAt(i))) return at(start, "a malformed number");
            while (isDigit(text.charCodeAt(i))) i++;
        }
        return null;
    };
    for (;;) {
        skipSpace();
        if (i >= n) {
            if (stack.length === 0 && expect === "after") return null;
            return at(n, n === 0 || text.trim() === "" ? "the file is empty" : "the text ends early (truncated?)");
        }
        const ch = text[i]!;
        if (expect === "after") {
            if (stack.length === 0) return at(i, "more text after the JSON value");
            const top = stack[stack.length - 1]!;
            if (ch === ",") { i++; expect = top === "[" ? "value" : "key"; continue; }
            if ((ch === "]" && top === "[") || (ch === "}" && top === "{")) { i++; stack.pop(); expect = "after"; continue; }
            return at(i, `expected \`,\` or \`${top === "[" ? "]" : "}"}\``);
        }
        if (expect === "colon") {
            if (ch !== ":") return at(i, "expected `:` after a key");
            i++;
            expect = "value";
            continue;
        }
        if (expect === "key" || expect === "key-or-close") {
            if (ch === "}" && expect === "key-or-close") { i++; stack.pop(); expect = "after"; continue; }
            if (ch !== "\"") return at(i, "expected a key in double quotes");
            const problem = string();
            if (problem != null) return problem;
            expect = "colon";
            continue;
        }
        // a value (or, right after `[`, the close)
        if (ch === "]" && expect === "value-or-close") { i++; stack.pop(); expect = "after"; continue; }
        if (ch === "[" || ch === "{") {
            if (stack.length >= maxDepth) return at(i, `nesting deeper than ${maxDepth} levels`);
            stack.push(ch);
            i++;
            expect = ch === "[" ? "value-or-close" : "key-or-close";
            continue;
        }
        let problem: JsonProblem | null = null;
        if (ch === "\"") problem = string();
        else if (ch === "-" || isDigit(text.charCodeAt(i))) problem = number();
        else if (text.startsWith("true", i)) i += 4;
        else if (text.startsWith("false", i)) i += 5;
        else if (text.startsWith("null", i)) i += 4;
        else problem = at(i, "expected a value (an unexpected character)");
        if (problem != null) return problem;
        expect = "after";
    }
}
