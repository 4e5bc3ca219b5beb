/** A run's file written to disk: the run file's text (runFileText.ts) in a temporary file, then renamed into place. */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConfigRecord, RunRecord } from "../results.ts";
import { toRunFile, type RunFileOptions } from "./runFile.ts";
import { runFileText } from "./runFileText.ts";
import { makeDir } from "../makeDir.ts";

/**
 * Write `dir/<run-id>.json` atomically (a temporary file in the same folder, then rename), creating `dir`.
 * Returns the path written.
 */
export async function writeRunFile(
    dir: string, run: RunRecord, configs: readonly ConfigRecord[], opts: RunFileOptions = {}
): Promise<string> {
    if (run.id === "" || run.id === "." || run.id === ".." || /[/\\]/.test(run.id))
        throw new Error(`Expected the run id to be usable as a file name, got \`${run.id}\``);
    const text = runFileText(toRunFile(run, configs, opts));
    await makeDir(dir);
    const path = join(dir, `${run.id}.json`);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
        await writeFile(temp, text, "utf8");
        await rename(temp, path);
    } catch (error) {
        await rm(temp, { force: true });
        throw error;
    }
    return path;
}
