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
    jobs: Record<string, { steps: { run?: string }[]; strategy?: { matrix: { include: { runner: string[]; shard: string }[] } } }>;
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
});
