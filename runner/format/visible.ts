/**
 * Untrusted text made safe for a terminal: every control character (C0, DEL, C1) and every bidirectional
 * override is shown as an escape such as `\x1b` or `\u202e` instead of being sent raw, so a model name, a suite
 * value, an argument or a model's output cannot move the cursor, retitle the window or clear the screen.
 * Run files and the database keep the exact text; only what reaches a terminal goes through here.
 */

/** Control characters, DEL, C1 controls, and the Unicode bidi embeddings, overrides and isolates. */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const unsafeButLines = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function escape(char: string): string {
    const code = char.codePointAt(0)!;
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` on one line, with every control and bidi character (newlines and tabs too) written as a visible escape. */
export function visible(text: string): string {
    return text.replace(unsafe, escape);
}

/** Like `visible`, but newlines and tabs pass through: for multi-line text such as a model's streamed answer. */
export function visibleLines(text: string): string {
    return text.replace(unsafeButLines, escape);
}
