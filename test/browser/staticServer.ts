/**
 * A static host on loopback for the built site: files under `base`, gzip when the browser accepts it (as static
 * hosts serve), 404 elsewhere. Only for tests and measurements.
 */
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

const types: Record<string, string> = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png", ".ico": "image/x-icon"
};

export interface StaticSite {
    url: string;
    close(): Promise<void>;
}

/** Serve `dir` at `http://127.0.0.1:<port><base>`. */
export async function serveStatic(dir: string, base = "/"): Promise<StaticSite> {
    const root = path.resolve(dir);
    const server: Server = createServer(async (req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        let pathname = decodeURIComponent(url.pathname);
        if (!pathname.startsWith(base)) {
            res.writeHead(404).end("not under the base path");
            return;
        }
        pathname = pathname.slice(base.length);
        let file = path.resolve(root, pathname);
        if (file !== root && !file.startsWith(root + path.sep)) {
            res.writeHead(403).end();
            return;
        }
        try {
            if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
            const body = await readFile(file);
            const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
            const headers: Record<string, string> = { "content-type": types[path.extname(file)] ?? "application/octet-stream", "cache-control": "max-age=3600" };
            if (gzip) headers["content-encoding"] = "gzip";
            res.writeHead(200, headers).end(gzip ? gzipSync(body) : body);
        } catch {
            res.writeHead(404).end("not found");
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address == null || typeof address === "string") throw new Error("Expected a TCP address");
    return {
        url: `http://127.0.0.1:${address.port}${base}`,
        close: () => new Promise((resolve, reject) => {
            server.close((error) => (error == null ? resolve() : reject(error)));
            // chromium keeps its keep-alive connections open: without this, close waited ~100 s for them (the empty-site test timed out)
            server.closeAllConnections();
        })
    };
}
