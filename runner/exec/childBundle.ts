/**
 * Bundles a child's TypeScript entry into one plain ESM file, so runChild can fork it with plain node.
 *
 * Why: every config starts a child, and under `node --import tsx child.ts` it paid tsx twice: in the child, and
 * in the binding test subprocess node-llama-cpp's getLlama forks (on Linux) with the parent's `process.execArgv`.
 * Measured (2-core Xeon, tiny model, median of 5): fork → `ready` 1.10 s → 0.63 s, fork → model loaded 2.32 s →
 * 1.39 s with the bundle under plain node.
 *
 * The bundle keeps dependencies external (`packages: "external"`) and lives under `<repo>/.cache/child/`, inside
 * the repo, so node-llama-cpp, better-sqlite3 etc. resolve from the repo's node_modules exactly as before.
 * Bundled modules see the bundle's `import.meta.url`, not their own: code reachable from a child entry must not
 * resolve paths relative to its source file (test/standalone/childBundle.test.ts checks the real child).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildFailure } from "esbuild";
import { makeDir } from "../makeDir.ts";

/** This file is runner/exec/childBundle.ts, so the repo root is two levels up. */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const childBundleDir = path.join(repoRoot, ".cache", "child");

const bundles = new Map<string, Promise<string>>();

/** Path of the bundle of `entryTsPath` (memoized per entry per process); rejects naming the entry and esbuild's first error. */
export function bundleEntry(entryTsPath: string): Promise<string> {
    const entry = path.resolve(entryTsPath);
    let bundle = bundles.get(entry);
    if (bundle == null) {
        bundle = buildBundle(entry);
        bundle.catch(() => bundles.delete(entry)); // a fixed source can be bundled by a later call
        bundles.set(entry, bundle);
    }
    return bundle;
}

async function buildBundle(entry: string): Promise<string> {
    let code: Uint8Array;
    try {
        const result = await build({
            entryPoints: [entry],
            bundle: true,
            platform: "node",
            format: "esm",
            target: "node20",
            packages: "external",
            // maps let `--enable-source-maps` name the .ts files in crash stacks; node does not need the sources' text
            sourcemap: "inline",
            sourcesContent: false,
            // outdir only fixes the maps' relative paths (the file name comes from the hash); absWorkingDir keeps
            // the output, hence the hash, the same whatever the cwd
            outdir: childBundleDir,
            absWorkingDir: repoRoot,
            write: false,
            logLevel: "silent"
        });
        code = result.outputFiles[0]!.contents;
    } catch (error) {
        const first = (error as Partial<BuildFailure>).errors?.[0];
        const where = first?.location != null ? ` (${first.location.file}:${first.location.line}:${first.location.column})` : "";
        const reason = first != null ? first.text + where : error instanceof Error ? error.message : String(error);
        throw new Error(`could not bundle the child entry ${entry}: ${reason}`);
    }

    // named by content: a parent never overwrites a bundle another parent (vitest runs files in parallel) is running
    const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
    const file = path.join(childBundleDir, `${path.basename(entry, path.extname(entry))}-${hash}.mjs`);
    if (!existsSync(file)) {
        // temp name + rename: nobody ever sees a half-written bundle; concurrent writers rename identical bytes
        await makeDir(childBundleDir);
        const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        try {
            await writeFile(temp, code);
            await rename(temp, file);
        } finally {
            await rm(temp, { force: true });
        }
    }
    return file;
}
