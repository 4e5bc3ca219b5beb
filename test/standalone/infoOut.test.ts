/** `info --out FILE`: the machine facts as JSON in a file, since `npm run info -- --json` gets npm's banner on stdout first. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../runner/cli/main.ts";

describe("info --out", () => {
    it("writes the run file's machine object and its details as JSON, and prints nothing on stdout", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "gguf-bench-info-"));
        const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
        try {
            const file = path.join(dir, "machine.json");
            expect(await main(["info", "--gpu", "false", "--out", file])).toBe(0);
            expect(stdout).not.toHaveBeenCalled();
            const machine = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
            expect(machine).toMatchObject({ backend: "cpu", cores: expect.any(Number), nodeLlamaCpp: expect.any(String), details: expect.any(Object) });
        } finally {
            stdout.mockRestore();
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
