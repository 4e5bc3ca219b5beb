/**
 * The import graph of runner/ and report/src, read from the sources, checked against the pipeline's layer order.
 *
 * Layers, lowest first (a file may import from its own layer or any layer below it):
 * the foundation (errors, format, paths, dict, makeDir; then metrics, warnings) → suite → the record (results.ts) and the arithmetic
 * on its samples (stats) → plan → models → protocol (what parent and child say, and the reference file both read) →
 * exec (the parent) → measure (the child) → store → compare → run (the use cases) → fidelity → cli → report.
 *
 * Reported: arrows back up (an import from a lower layer into a higher one), circles between folders (a strongly
 * connected set of two or more folders) and circles between files (two or more files that import each other, at
 * any distance), and imports the report may not make (the child side, the CLI, the parent, store internals).
 *
 * Run: `npx tsx scripts/import-graph.ts` (exit 1 when anything is reported; `--json` prints the whole result).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The layers, lowest first; a name is a folder (or a single file) relative to the repository root. */
export const layerOrder: readonly (readonly string[])[] = [
    ["runner/errors.ts", "runner/format", "runner/paths.ts", "runner/dict.ts", "runner/makeDir.ts"],
    ["runner/metrics", "runner/warnings.ts"],
    ["runner/suite"],
    ["runner/results.ts"],
    ["runner/stats"],
    ["runner/plan"],
    ["runner/models"],
    ["runner/protocol"],
    ["runner/exec"],
    ["runner/measure"],
    ["runner/store"],
    ["runner/compare"],
    ["runner/run"],
    ["runner/fidelity"],
    ["runner/cli"],
    ["report"]
];

/** What the report may not import: the child side, the parent, the CLI and the store's internals. */
const reportForbidden = ["runner/measure/", "runner/exec/", "runner/cli/", "runner/store/db.ts", "runner/store/migrations.ts"];

const sourceRoots = ["runner", "report/src"];
const sourceExtensions = [".ts", ".tsx", ".astro", ".mts"];

export interface ImportEdge {
    from: string;
    to: string;
}

export interface ImportGraphResult {
    /** Every file read, repository-relative. */
    files: string[];
    /** Every resolved relative import between two files read. */
    edges: ImportEdge[];
    /** Imports from a lower layer into a higher one. */
    upArrows: ImportEdge[];
    /** Sets of two or more folders that reach each other. */
    folderCycles: string[][];
    /** Sets of two or more files that reach each other. */
    fileCycles: string[][];
    /** Imports the report may not make. */
    reportViolations: ImportEdge[];
    /** Files that belong to no layer (a new folder must be placed in layerOrder). */
    unplaced: string[];
}

function listFiles(root: string, dir: string): string[] {
    const out: string[] = [];
    let entries: string[];
    try {
        entries = readdirSync(path.join(root, dir));
    } catch {
        return out;
    }
    for (const name of entries.sort()) {
        if (name === "node_modules" || name.startsWith(".")) continue;
        const rel = `${dir}/${name}`;
        if (statSync(path.join(root, rel)).isDirectory()) out.push(...listFiles(root, rel));
        else if (sourceExtensions.some((ext) => name.endsWith(ext)) && !name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

const specifierPattern = /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s*)?|\bexport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s*)|\bimport\s*\(\s*)["']([^"']+)["']/g;

/** The relative specifiers a source file imports or re-exports (static, type-only and dynamic). */
export function importSpecifiers(text: string): string[] {
    const out: string[] = [];
    for (const match of text.matchAll(specifierPattern)) {
        const spec = match[1];
        if (spec !== undefined && spec.startsWith(".")) out.push(spec);
    }
    return out;
}

function resolveSpecifier(fromFile: string, spec: string, known: ReadonlySet<string>): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
    const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.jsx$/, ".tsx"), `${base}.ts`, `${base}/index.ts`];
    return candidates.find((c) => known.has(c));
}

/** The layer a file belongs to: its index in layerOrder and the unit (folder or file) it matched. */
export function layerOf(file: string): { rank: number; unit: string } | undefined {
    let best: { rank: number; unit: string } | undefined;
    layerOrder.forEach((names, rank) => {
        for (const name of names) {
            const matches = file === name || file.startsWith(`${name}/`);
            if (matches && (best === undefined || name.length > best.unit.length)) best = { rank, unit: name };
        }
    });
    return best;
}

/** Strongly connected sets of two or more nodes (Tarjan), each sorted, the list sorted. */
export function stronglyConnected(nodes: readonly string[], next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const out: string[][] = [];
    const visit = (node: string): void => {
        index.set(node, counter);
        low.set(node, counter);
        counter++;
        stack.push(node);
        onStack.add(node);
        for (const to of next.get(node) ?? []) {
            if (!index.has(to)) {
                visit(to);
                low.set(node, Math.min(low.get(node)!, low.get(to)!));
            } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
        }
        if (low.get(node) === index.get(node)) {
            const group: string[] = [];
            let member: string | undefined;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                group.push(member);
            } while (member !== node);
            if (group.length > 1) out.push(group.sort());
        }
    };
    for (const node of nodes) if (!index.has(node)) visit(node);
    return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A folder for the folder graph: the runner subfolder (or top-level file), or `report`. */
function folderOf(file: string): string {
    if (file.startsWith("report/")) return "report";
    const parts = file.split("/");
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

export function importGraph(root: string): ImportGraphResult {
    const files = sourceRoots.flatMap((dir) => listFiles(root, dir));
    const known = new Set(files);
    const edges: ImportEdge[] = [];
    for (const from of files) {
        const seen = new Set<string>();
        for (const spec of importSpecifiers(readFileSync(path.join(root, from), "utf8"))) {
            const to = resolveSpecifier(from, spec, known);
            if (to === undefined || to === from || seen.has(to)) continue;
            seen.add(to);
            edges.push({ from, to });
        }
    }
    const upArrows = edges.filter(({ from, to }) => {
        const a = layerOf(from);
        const b = layerOf(to);
        return a !== undefined && b !== undefined && b.rank > a.rank;
    });
    const fileNext = new Map<string, Set<string>>();
    const folderNext = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
        if (!fileNext.has(from)) fileNext.set(from, new Set());
        fileNext.get(from)!.add(to);
        const [ff, ft] = [folderOf(from), folderOf(to)];
        if (ff === ft) continue;
        if (!folderNext.has(ff)) folderNext.set(ff, new Set());
        folderNext.get(ff)!.add(ft);
    }
    const folders = [...new Set(files.map(folderOf))];
    return {
        files,
        edges,
        upArrows,
        folderCycles: stronglyConnected(folders, folderNext),
        fileCycles: stronglyConnected(files, fileNext),
        reportViolations: edges.filter(({ from, to }) => from.startsWith("report/") && reportForbidden.some((f) => to === f || to.startsWith(f))),
        unplaced: files.filter((f) => layerOf(f) === undefined)
    };
}

function main(): void {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    const result = importGraph(root);
    if (process.argv.includes("--json")) {
        console.log(JSON.stringify(result, null, 2));
    } else {
        console.log(`${result.files.length} files, ${result.edges.length} imports`);
        console.log(`arrows back up: ${result.upArrows.length}`);
        for (const { from, to } of result.upArrows) console.log(`  ${from} → ${to}`);
        console.log(`circles between folders: ${result.folderCycles.length}`);
        for (const group of result.folderCycles) console.log(`  ${group.join(" ↔ ")}`);
        console.log(`circles between files: ${result.fileCycles.length}`);
        for (const group of result.fileCycles) console.log(`  ${group.join(" ↔ ")}`);
        console.log(`report imports it may not make: ${result.reportViolations.length}`);
        for (const { from, to } of result.reportViolations) console.log(`  ${from} → ${to}`);
        if (result.unplaced.length > 0) console.log(`files in no layer: ${result.unplaced.join(", ")}`);
    }
    const bad = result.upArrows.length + result.folderCycles.length + result.fileCycles.length + result.reportViolations.length + result.unplaced.length;
    process.exitCode = bad > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
