/**
 * A fake Hugging Face Hub on 127.0.0.1 answering the routes our code and @huggingface/hub call:
 * - `GET /api/models/<owner>/<name>/tree/<rev>[/<path>]?recursive=…` (paged with a `Link: <…>; rel="next"` header),
 * - `HEAD|GET /<owner>/<name>/resolve/<rev>/<file>`: LFS files answer 302 to a second server (the "CDN", another
 *   origin) with `X-Repo-Commit`, `X-Linked-Etag`, `X-Linked-Size`, like the real Hub; other files are served inline,
 * - `HEAD|GET /cdn/<sha256>` on the CDN: the bytes, with `Range` → 206.
 * Errors mimic the Hub: 401 for private repos without the token, 404 with `X-Error-Code` (RepoNotFound,
 * RevisionNotFound, EntryNotFound). Every request is recorded with its Authorization and Range headers.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeFile {
    path: string;
    content: Buffer;
    /** Stored with Git LFS (served through the CDN redirect). Defaults to `true` for `.gguf` files. */
    lfs?: boolean;
    /** Override the sha256 the Hub announces (to simulate corruption). Defaults to the real one. */
    announcedSha256?: string;
    /** Override the size the Hub announces (`X-Linked-Size`), a lie about the bytes the CDN sends. Defaults to the real one. */
    announcedSize?: number;
}

export interface FakeRepo {
    files: FakeFile[];
    /** 40-hex commit of `main`. Defaults to a hash of the repo name. */
    commit?: string;
    /** Needs `Authorization: Bearer <token>`. Defaults to `false`. */
    private?: boolean;
    /**
     * How a broken or hostile Hub answers this repo's resolve requests instead of the file: a status code (e.g. 500),
     * `no-commit` (no X-Repo-Commit header) or `redirect-loop` (a relative redirect to itself, forever). Defaults to none.
     */
    misbehave?: number | "no-commit" | "redirect-loop";
}

export interface FakeHubOptions {
    repos: Record<string, FakeRepo>;
    /** The token private repos accept. Defaults to `hf_fake_token`. */
    token?: string;
    /** Tree entries per page. Defaults to `1000`. */
    pageSize?: number;
    /**
     * A careless or hostile Hub: this repo's first file answers every resolve request, whatever its revision and
     * path (even one the URL parser folded `..` out of). Defaults to none.
     */
    lenientRepo?: string;
}

export interface RecordedRequest {
    server: "hub" | "cdn";
    method: string;
    url: string;
    authorization?: string;
    range?: string;
}

export interface FakeHub {
    endpoint: string;
    cdnEndpoint: string;
    requests: RecordedRequest[];
    commitOf(repo: string): string;
    /** The next CDN GET sends `bytes` bytes of the body, then drops the connection. */
    cutNextDownloadAfter(bytes: number): void;
    /** CDN bodies stop after their first half until the returned function is called. */
    holdDownloads(): () => void;
    close(): Promise<void>;
}

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");
const gitOid = (data: Buffer): string => createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
    const token = opts.token ?? "hf_fake_token";
    const pageSize = opts.pageSize ?? 1000;
    const requests: RecordedRequest[] = [];
    const blobs = new Map<string, Buffer>();
    let cutAfter: number | undefined;
    let held: Promise<void> | undefined;
    const commitOf = (repo: string): string => opts.repos[repo]?.commit ?? createHash("sha1").update(repo).digest("hex");
    const isLfs = (file: FakeFile): boolean => file.lfs ?? file.path.endsWith(".gguf");
    for (const repo of Object.values(opts.repos)) for (const file of repo.files) blobs.set(sha256(file.content), file.content);

    const record = (server: "hub" | "cdn", req: IncomingMessage): void => {
        requests.push({
            server,
            method: req.method ?? "GET",
            url: req.url ?? "",
            ...req.headers.authorization != null ? { authorization: req.headers.authorization } : {},
            ...req.headers.range != null ? { range: req.headers.range } : {}
        });
    };
    const fail = (res: ServerResponse, status: number, code: string | undefined, message: string): void => {
        res.writeHead(status, { "Content-Type": "application/json", ...code != null ? { "X-Error-Code": code } : {} });
        res.end(JSON.stringify({ error: message }));
    };

    /** Hub-side checks shared by tree and resolve; returns the repo or answers the error. */
    const findRepo = (req: IncomingMessage, res: ServerResponse, name: string, revision: string): FakeRepo | undefined => {
        const repo = opts.repos[name];
        const authorized = req.headers.authorization === `Bearer ${token}`;
        if (repo == null || (repo.private === true && !authorized)) {
            // the real Hub hides private repos: 401 without a valid token, 404 with one
            if (!authorized) fail(res, 401, "RepoNotFound", "Invalid username or password.");
            else fail(res, 404, "RepoNotFound", "Repository not found");
            return undefined;
        }
        if (revision !== "main" && revision !== commitOf(name)) {
            fail(res, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
            return undefined;
        }
        return repo;
    };

    const sendBytes = (req: IncomingMessage, res: ServerResponse, data: Buffer, headers: Record<string, string>, cut: boolean): void => {
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
        let start = 0;
        let end = data.length - 1;
        let status = 200;
        if (range != null) {
            start = Number(range[1]);
            end = range[2] ? Math.min(Number(range[2]), end) : end;
            if (start > end) {
                res.writeHead(416, { "Content-Range": `bytes */${data.length}` });
                res.end();
                return;
            }
            status = 206;
            headers["Content-Range"] = `bytes ${start}-${end}/${data.length}`;
        }
        res.writeHead(status, { ...headers, "Accept-Ranges": "bytes", "Content-Length": String(end - start + 1), "Content-Type": "application/octet-stream" });
        if (req.method === "HEAD") {
            res.end();
            return;
        }
        const body = data.subarray(start, end + 1);
        if (cut && cutAfter != null && cutAfter < body.length) {
            const keep = cutAfter;
            cutAfter = undefined;
            res.write(body.subarray(0, keep), () => setTimeout(() => res.socket?.destroy(), 20));
            return;
        }
        if (cut && held != null && body.length > 1) {
            const half = Math.floor(body.length / 2);
            const wait = held;
            res.write(body.subarray(0, half), () => void wait.then(() => {
                if (!res.destroyed) res.end(body.subarray(half));
            }));
            return;
        }
        res.end(body);
    };

    const cdn = createServer((req, res) => {
        record("cdn", req);
        const match = /^\/cdn\/([0-9a-f]{64})$/.exec(new URL(req.url ?? "/", "http://x").pathname);
        const data = match == null ? undefined : blobs.get(match[1]!);
        if (data == null) return fail(res, 404, undefined, "no such blob");
        sendBytes(req, res, data, { ETag: `"${match![1]}"` }, true);
    });

    const hub = createServer((req, res) => {
        record("hub", req);
        const url = new URL(req.url ?? "/", "http://x");
        const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);

        if (parts[0] === "api" && parts[1] === "models" && parts[4] === "tree") {
            const name = `${parts[2]}/${parts[3]}`;
            const repo = findRepo(req, res, name, parts[5] ?? "main");
            if (repo == null) return;
            const prefix = parts.slice(6).join("/");
            const recursive = url.searchParams.get("recursive") === "true";
            const entries = treeEntries(repo, prefix, recursive);
            const cursor = Number(url.searchParams.get("cursor") ?? 0);
            const page = entries.slice(cursor, cursor + pageSize);
            const headers: Record<string, string> = { "Content-Type": "application/json" };
            if (cursor + pageSize < entries.length) {
                const next = new URL(url.href.replace("http://x", endpoint));
                next.searchParams.set("cursor", String(cursor + pageSize));
                headers.Link = `<${next.href}>; rel="next"`;
            }
            res.writeHead(200, headers);
            res.end(JSON.stringify(page));
            return;
        }

        const lenient = opts.lenientRepo == null ? undefined : opts.repos[opts.lenientRepo];
        if (lenient != null && (req.method === "GET" || req.method === "HEAD") && parts[2] !== "resolve") {
            return resolveAnswer(req, res, opts.lenientRepo!, lenient.files[0]!);
        }
        if (parts[2] === "resolve" && (req.method === "GET" || req.method === "HEAD")) {
            const name = `${parts[0]}/${parts[1]}`;
            if (lenient != null && name === opts.lenientRepo) return resolveAnswer(req, res, name, lenient.files[0]!);
            const repo = findRepo(req, res, name, parts[3] ?? "");
            if (repo == null) return;
            if (typeof repo.misbehave === "number") return fail(res, repo.misbehave, undefined, "misbehaving on purpose");
            if (repo.misbehave === "redirect-loop") {
                res.writeHead(307, { Location: url.pathname });
                res.end();
                return;
            }
            const filePath = parts.slice(4).join("/");
            const file = repo.files.find((candidate) => candidate.path === filePath);
            if (file == null) return fail(res, 404, "EntryNotFound", `${filePath} does not exist on "main"`);
            return resolveAnswer(req, res, name, file);
        }
        fail(res, 404, undefined, "no such route");
    });

    const resolveAnswer = (req: IncomingMessage, res: ServerResponse, name: string, file: FakeFile): void => {
        const common: Record<string, string> = opts.repos[name]?.misbehave === "no-commit" ? {} : { "X-Repo-Commit": commitOf(name) };
        if (isLfs(file)) {
            const sha = sha256(file.content);
            res.writeHead(302, {
                ...common,
                "X-Linked-Etag": `"${file.announcedSha256 ?? sha}"`,
                "X-Linked-Size": String(file.announcedSize ?? file.content.length),
                ETag: `"${gitOid(Buffer.from(`oid sha256:${sha}`))}"`,
                Location: `${cdnEndpoint}/cdn/${sha}`,
                "Content-Length": "0"
            });
            res.end();
            return;
        }
        sendBytes(req, res, file.content, { ...common, ETag: `"${gitOid(file.content)}"` }, false);
    };

    const treeEntries = (repo: FakeRepo, prefix: string, recursive: boolean): object[] => {
        const under = prefix === "" ? "" : `${prefix}/`;
        const entries = new Map<string, object>();
        for (const file of repo.files) {
            if (!file.path.startsWith(under)) continue;
            const rest = file.path.slice(under.length);
            if (!recursive && rest.includes("/")) {
                const dir = under + rest.split("/")[0];
                entries.set(dir, { type: "directory", oid: gitOid(Buffer.from(dir)), size: 0, path: dir });
                continue;
            }
            const sha = sha256(file.content);
            entries.set(file.path, isLfs(file)
                ? { type: "file", oid: gitOid(Buffer.from(`oid sha256:${sha}`)), size: file.content.length, path: file.path, lfs: { oid: sha, size: file.content.length, pointerSize: 134 } }
                : { type: "file", oid: gitOid(file.content), size: file.content.length, path: file.path });
        }
        return [...entries.values()];
    };

    const listen = (server: Server): Promise<string> => new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
    const endpoint = await listen(hub);
    const cdnEndpoint = await listen(cdn);

    return {
        endpoint,
        cdnEndpoint,
        requests,
        commitOf,
        cutNextDownloadAfter(bytes: number) {
            cutAfter = bytes;
        },
        holdDownloads() {
            let release = () => {};
            held = new Promise<void>((resolve) => (release = resolve));
            return () => {
                held = undefined;
                release();
            };
        },
        async close() {
            for (const server of [hub, cdn]) {
                server.closeAllConnections();
                await new Promise((resolve) => server.close(resolve));
            }
        }
    };
}

/** A port nothing listens on (bound, then released). */
export async function refusedEndpoint(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
}
