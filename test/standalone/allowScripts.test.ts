/**
 * npm 11 runs a dependency's install scripts only when package.json's `allowScripts` approves them (today it warns;
 * with `--strict-allow-scripts`, and in npm's stated future, it refuses). Every package of the lock file with an
 * install script must be approved, or `npm ci` would one day install us without a built better-sqlite3.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")) as Record<string, unknown>;

describe("allowScripts", () => {
    it("approves exactly the locked packages that have install scripts", () => {
        const lock = read("package-lock.json") as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
        const withScripts = Object.entries(lock.packages)
            .filter(([, entry]) => entry.hasInstallScript === true)
            .map(([where, entry]) => ({ name: where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length), version: entry.version }));
        expect(withScripts.map((p) => p.name)).toContain("better-sqlite3");
        const allow = (read("package.json").allowScripts ?? {}) as Record<string, boolean>;
        for (const { name, version } of withScripts) expect(allow[name] ?? allow[`${name}@${version}`], name).toBe(true);
        // nothing approved that is not there (an approval outlives the package it was for)
        for (const key of Object.keys(allow)) expect(withScripts.some((p) => key === p.name || key === `${p.name}@${p.version}`), key).toBe(true);
    });
});
