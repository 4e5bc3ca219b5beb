/** A link inside the site, under the base path it was built for (`/` or a sub-path such as `/gguf-bench/`). */
export function href(base: string, path: string): string {
    const root = base.endsWith("/") ? base : `${base}/`;
    return root + path.replace(/^\/+/, "");
}
