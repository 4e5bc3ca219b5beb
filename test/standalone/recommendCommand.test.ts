/**
 * `npm run recommend` on run files written to a temporary folder: every format, constraints from flags and from a
 * suite's recommend: block, the exit code when nothing qualifies, and one-line errors for bad flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { recommendCommand, type LocalMemoryProbe } from "../../runner/cli/commands/recommend.ts";
import { InputError } from "../../runner/errors.ts";
import type { RunRecord } from "../../runner/results.ts";
import { machineKey } from "../../runner/store/machineKey.ts";
import { writeRunFile } from "../../runner/store/writeRunFile.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";
import { config, GiB, machine } from "./fixtures/recommendRuns.ts";

let dir: string;
const runId = "20260101-000000-ladder-aaaaaa";
const kld = (mean: number) => Array.from({ length: 200 }, (_, i) => mean * (i % 2 === 0 ? 0.9 : 1.1));

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gguf-bench-recommend-"));
    const run: RunRecord = {
        id: runId, suite: { name: "ladder", path: "suites/ladder.yaml", sha256: "00".repeat(32) }, startedAt: "2026-01-01T00:00:00.000Z",
        finishedAt: "2026-01-01T00:01:00.000Z", status: "completed", git: { commit: null, dirty: null }, machine, shard: null
    };
    await writeRunFile(join(dir, "runs"), run, [
        config({ quant: "F16", decode: [40, 41, 39, 40, 40.5, 39.5], peak: 6 * GiB, kld: kld(0) }),
        config({ quant: "Q8_0", decode: [98, 100, 103, 97, 101, 99], peak: 3.5 * GiB, kld: kld(0.0014) }),
        config({ quant: "Q4_K_M", decode: [99, 102, 100, 104, 98, 101], peak: 2.5 * GiB, kld: kld(0.031) }),
        config({ quant: "Q2_K", decode: [150, 151, 149, 150, 152, 148], peak: 1.5 * GiB, kld: kld(0.33) })
    ], { baseDir: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** stdout of one command, with this machine's free memory as `free` (or no probe result). */
async function recommendOut(argv: string[], free: number | null = 5 * GiB): Promise<{ code: number; out: string; probed: boolean }> {
    let out = "";
    let probed = false;
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    const probe: LocalMemoryProbe = async () => {
        probed = true;
        return free == null ? null : { machineKey: machineKey(machine), freeRamBytes: free, freeVramBytes: null };
    };
    const code = await recommendCommand([join(dir, "runs"), ...argv], probe);
    vi.restoreAllMocks();
    return { code, out, probed };
}

describe("npm run recommend", () => {
    it("prints the pick with its tie and each other quant's reason, under this machine's free memory", async () => {
        const { code, out, probed } = await recommendOut([]);
        expect(code).toBe(0);
        expect(probed).toBe(true);
        expect(out).toMatch(/→ run Q8_0 ≈ Q4_K_M\n/);
        expect(out).toMatch(/F16: does not fit 5\.0 GiB RAM with 10 % headroom \(measured peak 6\.0 GiB\)/);
        expect(out).toMatch(/Q2_K: KLD 0\.3300 ± \S+ is above the 0\.05 nats bound/);
        expect(out).toMatch(/note: memory budget: 5\.0 GiB RAM, free RAM on this machine now/);
    });

    it("takes constraints from flags, does not probe when --memory is set, and writes json", async () => {
        const { code, out, probed } = await recommendOut(["--memory", "8GiB", "--max-kld", "0.5", "--format", "json"]);
        expect(code).toBe(0);
        expect(probed).toBe(false);
        const json = JSON.parse(out) as { answers: { pick: string[]; candidates: { name: string; verdict: string }[] }[]; constraints: { memoryBytes: number } };
        expect(json.constraints.memoryBytes).toBe(8 * GiB);
        expect(json.answers[0]!.pick).toEqual(["Q2_K"]);
        expect(json.answers[0]!.candidates.find((c) => c.name === "F16")!.verdict).toBe("slower");
    });

    it("takes constraints from a suite's recommend: block", async () => {
        const suite = join(dir, "suite.yaml");
        writeFileSync(suite, "name: s\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - tg: 8\nrecommend:\n  memory: 3GiB\n  headroom: 0\n");
        expect(parseSuite(suite).recommend).toEqual({ memory: "3GiB", headroom: 0 });
        const { out } = await recommendOut(["--suite", suite, "--format", "md"]);
        expect(out).toMatch(/\*\*Run Q4\\_K\\_M\*\*/);
        expect(out).toMatch(/\| Q8\\_0 \| memory \| does not fit 3\.0 GiB RAM with 0 % headroom/);
    });

    it("exits 1 when no quant of a family meets the constraints", async () => {
        const { code, out } = await recommendOut(["--memory", "1GiB"]);
        expect(code).toBe(1);
        expect(out).toMatch(/→ run none/);
    });

    it("refuses bad flags and suite values in one line naming them", async () => {
        await expect(recommendCommand(["--memory", "lots", join(dir, "runs")])).rejects.toThrow(new InputError("--memory: expected a size such as `8GiB`, `512MiB` or a number of bytes, got `lots`"));
        await expect(recommendCommand(["--objective", "fun", join(dir, "runs")])).rejects.toThrow(/^--objective: expected `decode`, `prefill`, `e2e`, got `fun`$/);
        await expect(recommendCommand(["--max-kld", "x", join(dir, "runs")])).rejects.toThrow(/^--max-kld: expected a number, got `x`$/);
        const suite = join(dir, "bad.yaml");
        writeFileSync(suite, "name: s\nmodels:\n  - synthetic: { preset: tiny, quant: Q8_0 }\ntests:\n  - tg: 8\nrecommend:\n  memory: 8 parsecs\n");
        expect(() => parseSuite(suite)).toThrow(/bad\.yaml:7:11 recommend\.memory: expected a size such as `8GiB`/);
    });
});
