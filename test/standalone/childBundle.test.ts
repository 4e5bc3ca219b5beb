import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, test, vi } from "vitest";
import { bundleEntry, childBundleDir } from "../../runner/exec/childBundle.ts";
import { runChild } from "../../runner/exec/runChild.ts";
import type { Config } from "../../runner/plan/types.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const fixture = fileURLToPath(new URL("./fixtures/bundledMain.ts", import.meta.url));
const realChild = fileURLToPath(new URL("../../runner/measure/child.ts", import.meta.url));
/** A fresh copy of the module, as another parent process would have: no memo. */
async function freshBundleEntry(entry: string): Promise<string> {
    vi.resetModules();
    const fresh = await import("../../runner/exec/childBundle.ts");
    return fresh.bundleEntry(entry);
}

describe("bundleEntry", () => {
    test("bundles a TS entry into a content-named .mjs that runs under plain node, with maps naming the .ts files", async () => {
        const file = await bundleEntry(fixture);
        expect(path.dirname(file)).toBe(childBundleDir);
        expect(path.basename(file)).toMatch(/^bundledMain-[0-9a-f]{12}\.mjs$/);
        expect(await bundleEntry(fixture)).toBe(file);

        const { stdout } = await promisify(execFile)(process.execPath, ["--enable-source-maps", file], { cwd: os.tmpdir() });
        const out = JSON.parse(stdout) as { yaml: string; frame: string };
        expect(out.yaml).toBe("ok: 1");
        expect(out.frame).toContain(fileURLToPath(new URL("./fixtures/bundledHelper.ts", import.meta.url)));
    });

    test("the same content gets the same file, written once: a later parent does not rewrite it", async () => {
        const file = await freshBundleEntry(fixture);
        rmSync(file);
        expect(await freshBundleEntry(fixture)).toBe(file);
        const written = statSync(file);
        const [again, concurrent] = await Promise.all([freshBundleEntry(fixture), freshBundleEntry(fixture)]);
        expect([again, concurrent]).toEqual([file, file]);
        const after = statSync(file);
        expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
        expect(readdirSync(childBundleDir).filter((name) => name.startsWith("bundledMain-") && name.endsWith(".tmp"))).toEqual([]);
    });

    test("a source esbuild cannot parse rejects naming the entry and esbuild's message, and runChild reports it as failed", async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), "gguf-bench-bundle-"));
        try {
            const broken = path.join(dir, "broken.ts");
            writeFileSync(broken, "const x = ;\n");
            await expect(bundleEntry(broken)).rejects.toThrow(`could not bundle the child entry ${broken}: Unexpected ";"`);

            const config: Config = {
                id: "abc123", label: "fake", model: { source: "path", path: "/nowhere.gguf" },
                params: { ...defaultSettings, timeout: 5 }, prompts: [], tests: []
            };
            const outcome = await runChild(config, "/nowhere.gguf", { childEntry: broken });
            expect(outcome.status).toBe("failed");
            if (outcome.status === "failed") expect(outcome.error).toContain(broken);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test("no module of the real child resolves paths from its own location (it would get the bundle's)", async () => {
        const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
        const { metafile } = await build({
            entryPoints: [realChild], bundle: true, platform: "node", format: "esm", packages: "external",
            absWorkingDir: repoRoot, write: false, metafile: true, logLevel: "silent"
        });
        const sources = Object.keys(metafile.inputs);
        expect(sources).toContain("runner/measure/measureConfig.ts");
        const selfRelative = /import\.meta\.(url|resolve|dirname|filename)|__dirname|__filename/;
        expect(sources.filter((source) => selfRelative.test(readFileSync(path.join(repoRoot, source), "utf8")))).toEqual([]);
    });
});
