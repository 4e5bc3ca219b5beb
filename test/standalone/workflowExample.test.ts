/**
 * examples/github-actions/bench.yml is not run here, so it is checked here: every gguf-bench command it calls exists
 * with the flags it passes, its shards cover each machine's suite, and it is not active in this repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { parseShard } from "../../runner/run/shard.ts";

const root = new URL("../..", import.meta.url).pathname;
const workflow = parse(readFileSync(`${root}examples/github-actions/bench.yml`, "utf8")) as {
    on: { pull_request: { types: string[] } };
    permissions: Record<string, string>;
    jobs: Record<string, {
        if?: string; "runs-on": unknown; permissions?: Record<string, string>;
        steps: { run?: string; uses?: string; name?: string; if?: string; with?: Record<string, unknown> }[];
        strategy?: { matrix: { include: { runner: string[]; shard: string }[] } };
    }>;
};
const scripts = (JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;

/** Every `npm run NAME -- ARGS` in the workflow's shell steps, as [NAME, ARGS]. */
function npmRuns(): [string, string[]][] {
    const calls: [string, string[]][] = [];
    for (const job of Object.values(workflow.jobs))
        for (const step of job.steps)
            for (const line of (step.run ?? "").split("\n")) {
                const match = /npm run (?:--silent )?([\w:-]+)(?: -- (.*?))?(?:\s*[>|&].*)?$/.exec(line.trim());
                if (match != null) calls.push([match[1]!, (match[2] ?? "").split(/\s+/).filter((word) => word !== "")]);
            }
    return calls;
}

/** The `--help` text of a gguf-bench command, as `npm run NAME -- --help` prints it. */
async function helpOf(script: string): Promise<string> {
    const command = /runner\/cli\/cli\.ts (\w+)/.exec(scripts[script]!)?.[1];
    expect(command, `npm script ${script} runs a gguf-bench command`).toBeDefined();
    const modules: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
        bench: async () => (await import("../../runner/cli/commands/bench.ts")).benchCommand,
        db: async () => (await import("../../runner/cli/commands/db.ts")).dbCommand,
        compare: async () => (await import("../../runner/cli/commands/compare.ts")).compareCommand,
        report: async () => (await import("../../runner/cli/commands/report.ts")).reportCommand
    };
    expect(Object.keys(modules), `a help text for ${command}`).toContain(command);
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
    expect(await (await modules[command!]!())(["--help"])).toBe(0);
    return printed.join("\n");
}

afterEach(() => vi.restoreAllMocks());

describe("examples/github-actions/bench.yml", () => {
    it("calls only npm scripts that exist, with flags and actions their --help lists", async () => {
        const calls = npmRuns();
        expect(calls.map(([name]) => name)).toEqual(expect.arrayContaining(["bench", "db", "compare", "report"]));
        for (const [name, args] of calls) {
            expect(scripts, `npm run ${name}`).toHaveProperty(name);
            const help = await helpOf(name);
            for (const arg of args) {
                if (arg.startsWith("--")) expect(help, `${name} ${arg}`).toContain(arg);
                else if (name === "db" && arg === args[0]) expect(help, `db ${arg}`).toMatch(new RegExp(`npm run db -- ${arg} `));
            }
        }
        // the PR comment is the markdown comparison of main and HEAD, as the issue describes it
        expect(calls).toContainEqual(["compare", ["main", "HEAD", "--format", "md"]]);
    });

    it("has shards that cover each machine's suite: K = 1..N once for every runner", () => {
        const byRunner = new Map<string, string[]>();
        for (const entry of workflow.jobs.bench!.strategy!.matrix.include) {
            const key = entry.runner.join(",");
            byRunner.set(key, [...byRunner.get(key) ?? [], entry.shard]);
        }
        expect(byRunner.size).toBeGreaterThan(1);
        for (const [runner, shards] of byRunner) {
            const parsed = shards.map(parseShard);
            const count = parsed[0]!.count;
            expect(parsed.every((s) => s.count === count), runner).toBe(true);
            expect(parsed.map((s) => s.index).sort(), runner).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        }
    });

    it("is not active in this repository", () => {
        const active = `${root}.github/workflows`;
        const files = existsSync(active) ? readdirSync(active) : [];
        expect(files.filter((file) => readFileSync(`${active}/${file}`, "utf8").includes("npm run compare"))).toEqual([]);
    });

    describe("runs a pull request's code on the self-hosted machines only when the repository vouches for it", () => {
        const bench = workflow.jobs.bench!;
        type Event = { action: string; label?: string; fromFork: boolean };
        const context = (e: Event) => ({
            github: {
                repository: "team/app",
                event: {
                    action: e.action,
                    ...(e.label != null ? { label: { name: e.label } } : {}),
                    pull_request: { head: { repo: { full_name: e.fromFork ? "stranger/app" : "team/app" }, sha: "f".repeat(40) }, number: 7 }
                }
            },
            needs: { bench: { result: "success" } }
        });
        const runsBench = (e: Event) => evaluate(bench.if!, context(e));

        it("a branch of the repository: on opening and on each push, once (not again on labels)", () => {
            expect(runsBench({ action: "opened", fromFork: false })).toBe(true);
            expect(runsBench({ action: "synchronize", fromFork: false })).toBe(true);
            expect(runsBench({ action: "labeled", label: "documentation", fromFork: false })).toBe(false);
        });

        it("a fork: never on opening or pushing, only when a maintainer adds `safe-to-bench`", () => {
            expect(runsBench({ action: "opened", fromFork: true })).toBe(false);
            expect(runsBench({ action: "reopened", fromFork: true })).toBe(false);
            // a push after the label was given: the label is still there, but only the labeling starts a run
            expect(runsBench({ action: "synchronize", fromFork: true })).toBe(false);
            expect(runsBench({ action: "labeled", label: "documentation", fromFork: true })).toBe(false);
            expect(runsBench({ action: "labeled", label: "safe-to-bench", fromFork: true })).toBe(true);
            expect(workflow.on.pull_request.types).toEqual(expect.arrayContaining(["opened", "synchronize", "reopened", "labeled"]));
        });

        it("benches the commit the event names, leaves no token behind, and has no write permission", () => {
            expect(bench.strategy!.matrix.include.every((entry) => entry.runner.includes("self-hosted"))).toBe(true);
            const checkout = bench.steps.find((step) => step.uses?.startsWith("actions/checkout"))!;
            expect(checkout.with).toMatchObject({ ref: "${{ github.event.pull_request.head.sha }}", "persist-credentials": false });
            expect(bench.permissions ?? workflow.permissions).toEqual({ contents: "read" });
            expect(workflow.permissions).toEqual({ contents: "read" });
        });

        it("compares only what was benched, and comments only where the token may (a fork's may not): the summary always", () => {
            const compare = workflow.jobs.compare!;
            expect(evaluate(compare.if!, { ...context({ action: "opened", fromFork: true }), needs: { bench: { result: "skipped" } } })).toBe(false);
            expect(evaluate(compare.if!, context({ action: "labeled", label: "safe-to-bench", fromFork: true }))).toBe(true);
            const comment = compare.steps.find((step) => step.run?.includes("gh pr comment"))!;
            expect(evaluate(comment.if!, context({ action: "opened", fromFork: false }))).toBe(true);
            expect(evaluate(comment.if!, context({ action: "labeled", label: "safe-to-bench", fromFork: true }))).toBe(false);
            expect(compare.steps.some((step) => step.if == null && step.run?.includes("compare.md") && step.run.includes("GITHUB_STEP_SUMMARY"))).toBe(true);
            expect(compare.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        });
    });
});

/**
 * A GitHub Actions `if:` expression evaluated against `context`: the subset the workflow uses (property paths, string
 * literals, `==`, `!=`, `!`, `&&`, `||`, parentheses, `cancelled()` as false), so its conditions are tested as
 * GitHub would read them rather than matched as text.
 */
function evaluate(expression: string, context: Record<string, unknown>): boolean {
    const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
    const tokens = source.match(/'[^']*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*(?:\(\))?/g) ?? [];
    let i = 0;
    const peek = () => tokens[i];
    const primary = (): unknown => {
        const token = tokens[i++]!;
        if (token === "(") {
            const value = or();
            expect(tokens[i++]).toBe(")");
            return value;
        }
        if (token === "!") return !truthy(primary());
        if (token.startsWith("'")) return token.slice(1, -1);
        if (token === "cancelled()") return false;
        return token.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], context) ?? null;
    };
    const comparison = (): unknown => {
        const left = primary();
        if (peek() === "==" || peek() === "!=") {
            const op = tokens[i++];
            const right = primary();
            const equal = String(left).toLowerCase() === String(right).toLowerCase();
            return op === "==" ? equal : !equal;
        }
        return left;
    };
    const and = (): unknown => {
        let value = comparison();
        while (peek() === "&&") (i++, value = truthy(comparison()) && truthy(value));
        return value;
    };
    const or = (): unknown => {
        let value = and();
        while (peek() === "||") (i++, value = truthy(and()) || truthy(value));
        return value;
    };
    const value = or();
    expect(i, `the whole expression was read: ${source}`).toBe(tokens.length);
    return truthy(value);
}

const truthy = (value: unknown) => value !== false && value !== null && value !== "" && value !== 0;
