/** Quant tags in Hub file names: which file of a repo is `Q4_K_M`, and the parts of a split model. */
import path from "node:path";
import { InputError } from "../../errors.ts";

export const splitPattern = /-(\d{5})-of-(\d{5})\.gguf$/i;

const quantTagPattern = /(?:^|_)((?:I?Q\d(?:_[A-Z0-9]+)*)|(?:TQ\d_\d)|BF16|F16|F32|MXFP4(?:_MOE)?)$/i;

/** The quant tag in a file name (`qwen2.5-1.5b-instruct-q4_k_m.gguf` → `Q4_K_M`), upper-cased; `undefined` if none. */
export function quantTagOf(fileName: string): string | undefined {
    const segments = path.posix.basename(fileName.replaceAll("\\", "/")).replace(/\.gguf$/i, "").replace(splitPattern, "").split(/[-./]/);
    for (let i = segments.length - 1; i >= 0; i--) {
        const match = quantTagPattern.exec(segments[i]!);
        if (match != null) return match[1]!.toUpperCase();
    }
    return undefined;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The file(s) of `quant` among a repo's files: the tag must stand as a whole token (preceded by `-._/` or the start,
 * followed by `-./` or the end), case-insensitive, so `Q4_K_M` never matches `Q4_K_S` and `Q4_0` never `Q4_0_4_4`.
 * Split models (`-00001-of-00003.gguf`) give all their parts in order. `mmproj` files are ignored.
 * No match, or several distinct models → InputError.
 */
export function matchQuant(repo: string, files: readonly (string | { path: string })[], quant: string): string[] {
    const names = files.map((file) => typeof file === "string" ? file : file.path).filter((name) => /\.gguf$/i.test(name));
    const candidates = names.filter((name) => !/mmproj/i.test(path.posix.basename(name)));
    const token = new RegExp(`(?:^|[-._/])${escapeRegExp(quant)}(?=$|[-./])`, "i");
    const matches = candidates.filter((name) => token.test(name));

    if (matches.length === 0) {
        const tags = [...new Set(candidates.map(quantTagOf).filter((tag) => tag != null))].sort(compareQuants);
        throw new InputError(tags.length > 0
            ? `${repo} has no ${quant} file; quants there: ${tags.join(", ")}`
            : `${repo} has no ${quant} file; it has no GGUF files with a quant in their name${names.length > 0 ? ` (files: ${names.slice(0, 5).join(", ")})` : ""}`);
    }

    const models = new Map<string, string[]>();
    for (const name of matches) {
        const key = name.replace(splitPattern, "");
        models.set(key, [...models.get(key) ?? [], name]);
    }
    if (models.size > 1) {
        const listed = [...models.values()].map((parts) => parts.sort()[0]!);
        throw new InputError(`${repo} has ${models.size} files for ${quant}: ${listed.join(", ")}; pick one with \`file:\``);
    }
    return [...models.values()][0]!.sort();
}

function compareQuants(a: string, b: string): number {
    return a.localeCompare(b, "en", { numeric: true });
}

/** All parts of a split model given its first part (`x-00001-of-00003.gguf` → parts 1..3); a plain file alone. */
export function splitParts(file: string): string[] {
    const match = splitPattern.exec(file);
    if (match == null) return [file];
    const count = Number(match[2]);
    const width = match[1]!.length;
    return Array.from({ length: count }, (_, i) =>
        file.slice(0, match.index) + `-${String(i + 1).padStart(width, "0")}-of-${match[2]}` + file.slice(match.index + match[0].length - ".gguf".length));
}
