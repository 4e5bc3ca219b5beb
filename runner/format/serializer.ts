/**
 * The one interface behind every printed result (hyperfine's exporters, llama-bench's printers): a value in each
 * output format. A run (cli/runSerializers.ts) and a comparison (compare/compareSerializers.ts) implement it.
 */
import { InputError } from "../errors.ts";
import { visible } from "./visible.ts";

export const formats = ["text", "md", "json"] as const;
/** `text`: a table for a terminal; `md`: markdown (a pull-request comment); `json`: for tools. */
export type Format = typeof formats[number];

export interface SerializeOptions {
    /** ANSI colours in `text` (a terminal). Defaults to `false`. */
    color?: boolean;
}

export type Serializers<T, O extends SerializeOptions = SerializeOptions> = Readonly<Record<Format, (value: T, opts?: O) => string>>;

/** `--format` checked: one of `text`, `md`, `json`. */
export function parseFormat(flag: string, text: string): Format {
    if ((formats as readonly string[]).includes(text)) return text as Format;
    throw new InputError(`${flag}: expected one of ${formats.map((f) => `\`${f}\``).join(", ")}, got \`${visible(text)}\``);
}

/** Whether `stream` is a terminal that takes colours (not with NO_COLOR set, as no-color.org asks). */
export function colorFor(stream: NodeJS.WriteStream): boolean {
    return stream.isTTY === true && (process.env.NO_COLOR ?? "").trim() === "";
}

/** Untrusted text in a markdown table cell: no line breaks, and `|`, `<`, `>`, `&`, `` ` `` and `*`/`_` escaped. */
export function markdownCell(text: string): string {
    return visible(text).replace(/[\\`*_|<>&[\]]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`));
}
