/** The tests the fidelity check compares, written as llama-bench names them: `pp512`, `tg128`, `pp512+tg128`, `tg128@d4096`. */
import { InputError } from "../errors.ts";
import type { BenchTest } from "../suite/types.ts";

export function parseBenchTest(id: string): BenchTest {
    const match = /^(?:pp(\d+))?(?:\+?tg(\d+))?(?:@d(\d+))?$/.exec(id.trim());
    const pp = Number(match?.[1] ?? 0);
    const tg = Number(match?.[2] ?? 0);
    const depth = Number(match?.[3] ?? 0);
    if (match == null || pp + tg === 0 || (match[1] != null && match[2] != null && !id.includes("+")))
        throw new InputError(`--tests: expected names like pp512, tg128, pp512+tg128 or tg128@d4096, got \`${id}\``);
    return { id: id.trim(), pp, tg, depth };
}

/** The figure a test is judged by: tokens/s of the whole timed work, as llama-bench reports it. */
export function headlineMetric(test: BenchTest): { app: string; engine: string | null } {
    if (test.pp > 0 && test.tg > 0) return { app: "pgTps", engine: null };
    if (test.pp > 0) return { app: "prefillTps", engine: "enginePrefillTps" };
    return { app: "decodeTps", engine: "engineDecodeTps" };
}

/** llama-bench arguments that run exactly this test (one test per call keeps the mapping unambiguous). */
export function llamaBenchTestArgs(test: BenchTest): string[] {
    const args = test.pp > 0 && test.tg > 0 ? ["-p", "0", "-n", "0", "-pg", `${test.pp},${test.tg}`] : ["-p", String(test.pp), "-n", String(test.tg)];
    return [...args, "-d", String(test.depth)];
}
