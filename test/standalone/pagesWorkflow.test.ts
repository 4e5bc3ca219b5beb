/**
 * examples/github-actions/pages.yml is not run here, so it is checked here: it builds on pushes to main only, calls
 * `report` with flags its --help lists, uploads what `report` builds and deploys it to GitHub Pages.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { reportCommand } from "../../runner/cli/commands/report.ts";

const root = new URL("../..", import.meta.url).pathname;
const workflow = parse(readFileSync(`${root}examples/github-actions/pages.yml`, "utf8")) as {
    on: { push: { branches: string[] } } & Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { needs?: string; steps: { run?: string; uses?: string; with?: Record<string, string> }[] }>;
};

afterEach(() => vi.restoreAllMocks());

describe("examples/github-actions/pages.yml", () => {
    it("builds the report from main's committed run files and deploys it to GitHub Pages", async () => {
        expect(Object.keys(workflow.on).sort()).toEqual(["push", "workflow_dispatch"]);
        expect(workflow.on.push.branches).toEqual(["main"]);
        expect(workflow.permissions).toMatchObject({ pages: "write", "id-token": "write", contents: "read" });
        const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
        const report = steps.map((s) => /npm run report -- (.*)$/.exec(s.run ?? "")).find((m) => m != null);
        expect(report, "an npm run report step").toBeDefined();
        const printed: string[] = [];
        vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
        expect(await reportCommand(["--help"])).toBe(0);
        for (const flag of report![1]!.split(/\s+/).filter((w) => w.startsWith("--"))) expect(printed.join("\n"), flag).toContain(flag);
        expect(steps.find((s) => s.uses?.startsWith("actions/upload-pages-artifact"))?.with?.path).toBe("report/dist");
        expect(workflow.jobs.deploy!.needs).toBe("build");
        expect(workflow.jobs.deploy!.steps.some((s) => s.uses?.startsWith("actions/deploy-pages"))).toBe(true);
    });
});
