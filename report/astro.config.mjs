// The report site: static, built from the results database by `npm run report` (see runner/cli/commands/report.ts).
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

export default defineConfig({
    // `npm run report -- --base /gguf-bench/` sets this for a site served under a sub-path (GitHub Pages)
    base: process.env.GGUF_BENCH_REPORT_BASE || "/",
    outDir: process.env.GGUF_BENCH_REPORT_OUT || "./dist",
    trailingSlash: "ignore",
    build: { format: "directory", inlineStylesheets: "always" },
    integrations: [react()],
    devToolbar: { enabled: false },
    // caches go to the project's .cache, not into report/node_modules
    cacheDir: "../.cache/astro",
    vite: {
        cacheDir: "../.cache/vite",
        // the native SQLite binding is loaded by Node at build time, never bundled
        ssr: { external: ["better-sqlite3"] },
        build: { chunkSizeWarningLimit: 1500 }
    }
});
