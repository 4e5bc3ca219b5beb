/**
 * The README and docs/ keep working: every relative link names a file that exists (and a heading that exists, for
 * `#anchor`), and every `npm run X -- --flag` they show names a script in package.json whose command knows the flag.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pages = ["README.md", ...readdirSync(path.join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
    const out = new Set<string>();
    const seen = new Map<string, number>();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (line.startsWith("```")) fenced = !fenced;
        const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
        if (heading == null) continue;
        const base = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
}

/** Markdown links and images outside code: [text](target). */
function links(markdown: string): string[] {
    const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe("README and docs", () => {
    it("has the two newcomer commands on the front page, and a front page of about 200 lines", () => {
        const readme = read("README.md");
        expect(readme).toContain("npm install && npm run bench");
        expect(readme).toContain("npm test");
        expect(readme.split("\n").length).toBeLessThan(250);
    });

    it.each(pages)("%s: every relative link and #anchor points at something that exists", (page) => {
        const broken: string[] = [];
        for (const target of links(read(page))) {
            if (/^[a-z]+:/i.test(target)) continue;
            const [file, anchor] = target.split("#") as [string, string | undefined];
            const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
            if (!existsSync(path.join(root, resolved))) broken.push(`${target}: no file ${resolved}`);
            else if (anchor != null && resolved.endsWith(".md") && !anchors(read(resolved)).has(anchor)) broken.push(`${target}: no heading #${anchor} in ${resolved}`);
        }
        expect(broken).toEqual([]);
    });

    it.each(pages)("%s: every `npm run X` is a script, and every flag after `--` is one its command knows", (page) => {
        const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
        const problems: string[] = [];
        for (const line of read(page).split("\n")) {
            for (const m of line.matchAll(/npm run (?:-s )?([\w:-]+)((?: -- [^`|#\n]*)?)/g)) {
                const script = scripts[m[1]!];
                if (script == null) {
                    problems.push(`npm run ${m[1]}: no such script`);
                    continue;
                }
                const command = /runner\/cli\/cli\.ts (\w+)/.exec(script)?.[1];
                if (command == null || m[2] === "") continue;
                const source = read(`runner/cli/commands/${command}.ts`);
                for (const flag of m[2]!.matchAll(/(?<=\s)--[a-z][\w-]*/g))
                    if (!source.includes(`${flag[0]} `) && !source.includes(`"${flag[0].slice(2)}"`) && !source.includes(`${flag[0].slice(2)}:`))
                        problems.push(`npm run ${m[1]} ${flag[0]}: not a flag of runner/cli/commands/${command}.ts`);
            }
        }
        expect(problems).toEqual([]);
    });
});

describe("source comments", () => {
    /** Every source file under runner/, report/src and scripts/. */
    function sources(dir: string): string[] {
        return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
            const rel = `${dir}/${entry.name}`;
            if (entry.isDirectory()) return sources(rel);
            return /\.(ts|tsx|astro|mjs)$/.test(entry.name) ? [rel] : [];
        });
    }

    it("cite only files that exist (repository paths, paths inside runner/, and top-level documents)", () => {
        const missing: string[] = [];
        for (const file of [...sources("runner"), ...sources("report/src"), ...sources("scripts")]) {
            const comments = [...read(file).matchAll(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g)].map((m) => m[0]).join("\n");
            for (const m of comments.matchAll(/(?<![\w./-])((?:[\w-]+\/)*[\w-]+\.(?:ts|tsx|md|json|astro|mjs))(?![\w/])/g)) {
                const cited = m[1]!;
                const candidates = [cited, `runner/${cited}`, `report/src/${cited}`, `report/${cited}`, path.posix.join(path.posix.dirname(file), cited)];
                // a bare file name (`plan.ts`) is a neighbour or a name for what a step writes; only paths and documents are checked
                if (!cited.includes("/") && !/^[A-Z]/.test(cited)) continue;
                // a path whose first folder is none of ours (`results/runs/x.json`, llama.cpp's `ggml/docs/gguf.md`) names no file here
                const first = cited.split("/")[0]!;
                if (cited.includes("/") && !["", "runner", "report/src", "report", path.posix.dirname(file)].some((dir) => existsSync(path.join(root, dir, first)))) continue;
                if (!candidates.some((c) => existsSync(path.join(root, c)))) missing.push(`${file}: ${cited}`);
            }
        }
        expect(missing).toEqual([]);
    });
});
