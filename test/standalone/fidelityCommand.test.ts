import { describe, expect, it } from "vitest";
import { fidelityCommand } from "../../runner/cli/commands/fidelity.ts";

// any existing file passes the existence checks; a bad --target must be refused before anything runs
const existing = "package.json";

describe("fidelity --target", () => {
    it("refuses a target that is not a percentage > 0", async () => {
        for (const target of ["abc", "0", "-5", ""])
            await expect(fidelityCommand(["--llama-bench", existing, existing, `--target=${target}`])).rejects.toThrow(/--target: expected a percentage > 0/);
    });
});

describe("fidelity --threads", () => {
    it("takes counts and `auto`, and refuses anything else before running", async () => {
        for (const threads of ["0", "1,x", "1,,2", "automatic"])
            await expect(fidelityCommand(["--llama-bench", existing, existing, `--threads=${threads}`])).rejects.toThrow(/--threads: expected integers >= 1 or auto/);
    });
});

describe("fidelity --engine", () => {
    it("takes prebuilt, local or both, and refuses anything else before running", async () => {
        for (const engine of ["", "mine", "prebuilt,,local"])
            await expect(fidelityCommand(["--llama-bench", existing, existing, `--engine=${engine}`])).rejects.toThrow(/--engine: expected a list of `prebuilt`, `local`/);
    });
});
