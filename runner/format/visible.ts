/**
 * Untrusted text made safe for a terminal: every control character (C0, DEL, C1), every bidirectional
 * override and every other invisible formatting character is shown as an escape such as `\x1b` or `\u202e` instead of being sent raw, so a model name, a suite
 * value, an argument or a model's output cannot move the cursor, retitle the window or clear the screen.
 * Run files and the database keep the exact text; only what reaches a terminal goes through here.
 */

/**
 * Invisible formatting characters that can make a name display as something else: the bidi marks, embeddings,
 * overrides and isolates (U+061C, U+200E/F, U+202A–202E, U+2066–2069), zero-width characters and joiners
 * (U+200B–200D, U+2060–2064), the deprecated format controls U+206A–206F, the soft hyphen, U+180E, the BOM (U+FEFF)
 * and the interlinear annotation controls (U+FFF9–FFFB).
 */
const formatChars = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb";
/** One invisible formatting character (global): the report shows each as `⟨U+202E⟩`. */
export const invisibleFormatChar = new RegExp(`[${formatChars}]`, "gu");
/** Control characters, DEL, C1 controls, and the invisible formatting characters. */
const unsafe = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${formatChars}]`, "gu");
const unsafeButLines = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${formatChars}]`, "gu");

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

/** `text` with each invisible formatting character written as `⟨U+202E⟩`: what the report shows in their place. */
export function visibleFormatting(text: string): string {
    return text.replace(invisibleFormatChar, (char) => `⟨U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`);
}
