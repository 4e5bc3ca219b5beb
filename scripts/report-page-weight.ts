/**
 * What each page of a built report transfers on a first visit, gzipped as a static host serves it: the HTML, its
 * stylesheets and every script it can load (islands, renderers, and their static and dynamic imports, counted even
 * before a chart scrolls into view), each file gzipped with zlib's default level. Also what a second page costs
 * once the shared chart code is cached (its HTML and the files no other page shares).
 *
 *   npx tsx scripts/report-page-weight.ts report/dist [BASE]
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export interface PageWeight {
    /** The HTML file, relative to the site's folder. */
    page: string;
    /** Bytes gzipped of the HTML and every asset it can load. */
    first: number;
    /** Bytes gzipped once assets that other pages share are cached: the HTML and its own assets. */
    cached: number;
    html: number;
}

/** Every page's weight, heaviest first, and the gzipped bytes of the assets that two pages or more share. */
export function pageWeights(dist: string, base = "/"): { pages: PageWeight[]; shared: number } {
    const root = path.resolve(dist);
    const gz = new Map<string, number>();
    const gzipped = (file: string) => {
        let size = gz.get(file);
        if (size == null) gz.set(file, size = gzipSync(readFileSync(file)).length);
        return size;
    };
    const toFile = (url: string, from: string) => (url.startsWith(base) ? path.join(root, url.slice(base.length)) : path.resolve(path.dirname(from), url));

    function assetsOf(html: string, file: string): Set<string> {
        const found = new Set<string>();
        const urls = [...html.matchAll(/(?:src|href|component-url|renderer-url|before-hydration-url)="([^"]+\.(?:js|mjs|css))"/g)].map((m) => m[1]!);
        const queue = urls.map((u) => toFile(u, file));
        while (queue.length > 0) {
            const asset = queue.pop()!;
            if (found.has(asset)) continue;
            found.add(asset);
            if (!asset.endsWith(".js")) continue;
            const text = readFileSync(asset, "utf8");
            for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+\.js)["']/g)) queue.push(toFile(m[1]!, asset));
        }
        return found;
    }

    const htmlFiles = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? htmlFiles(full) : name.endsWith(".html") ? [full] : [];
    });

    const pages = htmlFiles(root).map((file) => ({ file, html: gzipped(file), assets: assetsOf(readFileSync(file, "utf8"), file) }));
    const useCount = new Map<string, number>();
    for (const page of pages) for (const asset of page.assets) useCount.set(asset, (useCount.get(asset) ?? 0) + 1);
    const weights = pages.map((page): PageWeight => ({
        page: path.relative(root, page.file),
        first: page.html + [...page.assets].reduce((sum, a) => sum + gzipped(a), 0),
        cached: page.html + [...page.assets].filter((a) => useCount.get(a) === 1).reduce((sum, a) => sum + gzipped(a), 0),
        html: page.html
    })).sort((a, b) => b.first - a.first);
    const shared = [...useCount].filter(([, n]) => n > 1).reduce((sum, [a]) => sum + gzipped(a), 0);
    return { pages: weights, shared };
}

if (process.argv[1] != null && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const [dist, base = "/"] = process.argv.slice(2);
    if (dist == null) {
        console.error("usage: npx tsx scripts/report-page-weight.ts DIST [BASE]");
        process.exit(2);
    }
    const { pages: rows, shared } = pageWeights(dist, base);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`${rows.length} pages; shared assets (on 2+ pages, cached after the first): ${kib(shared)} gzipped`);
    console.log(`largest first load: ${rows[0]?.page} ${kib(rows[0]?.first ?? 0)} (HTML ${kib(rows[0]?.html ?? 0)})`);
    console.log(`median first load: ${kib(rows[Math.floor(rows.length / 2)]?.first ?? 0)}; largest with shared code cached: ${kib(Math.max(...rows.map((r) => r.cached)))}`);
    for (const row of rows.slice(0, 8)) console.log(`  ${row.page}: first ${kib(row.first)}, cached ${kib(row.cached)}`);
}
