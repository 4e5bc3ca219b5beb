/** Debian's chromium driven by playwright-core: launched headless with background networking off, a fresh profile. */
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Where Debian's package puts the browser binary. */
export const chromiumCandidates = ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"];

/** The chromium binary, or null when none is installed. */
export function findChromium(): string | null {
    const fromEnv = process.env.GGUF_BENCH_CHROMIUM;
    if (fromEnv != null && existsSync(fromEnv)) return fromEnv;
    return chromiumCandidates.find((candidate) => existsSync(candidate)) ?? null;
}

/** A browser context in a fresh profile folder (playwright passes it as `--user-data-dir`). Close it to end chromium. */
export async function launchChromium(executablePath: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    const profile = mkdtempSync(path.join(os.tmpdir(), "gguf-bench-chromium-"));
    return chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        viewport,
        args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"
        ]
    });
}
