import { expect, test } from "vitest";
import { oversubscriptionWarning, resolveThreads, resolveThreadsBatch } from "../../runner/measure/resolveThreads.ts";
import { warningText } from "../../runner/warnings.ts";
import { makeThreadSwitch } from "../../runner/measure/threadSwitch.ts";

test("threads: auto keeps one logical core for Node when llama.cpp's choice would take them all", () => {
    // 2-core VM (this CI machine): cpuMathCores 2 of 2 logical → 1
    expect(resolveThreads("auto", { cpuMathCores: 2, logicalCores: 2 })).toBe(1);
    // 4 physical cores with SMT (8 logical): a spare sibling exists → llama.cpp's own 4
    expect(resolveThreads("auto", { cpuMathCores: 4, logicalCores: 8 })).toBe(4);
    // Apple M-series 8P+4E: cpuMathCores counts performance cores only → 8
    expect(resolveThreads("auto", { cpuMathCores: 8, logicalCores: 12 })).toBe(8);
    // one core: never 0
    expect(resolveThreads("auto", { cpuMathCores: 1, logicalCores: 1 })).toBe(1);
    // an explicit number is kept as written
    expect(resolveThreads(3, { cpuMathCores: 8, logicalCores: 8 })).toBe(3);
});

test("oversubscription warns only when no logical core is left, and says what to try", () => {
    expect(oversubscriptionWarning(1, 2)).toBeUndefined();
    expect(oversubscriptionWarning(7, 8)).toBeUndefined();
    const warning = oversubscriptionWarning(2, 2)!;
    expect(warning).toEqual({ kind: "threadsOversubscribed", threads: 2, logicalCores: 2 });
    expect(warningText(warning)).toContain("threads=2 on 2 logical cores");
    expect(warningText(warning)).toContain("compare with threads: 1");
    expect(warningText(oversubscriptionWarning(8, 8)!)).toContain("compare with threads: 7");
});

test("threadsBatch: auto follows an explicit threads, else takes every math core", () => {
    // 2-core VM: decode at 1 (auto), batches at 2
    expect(resolveThreadsBatch("auto", "auto", { cpuMathCores: 2, logicalCores: 2 })).toBe(2);
    // SMT machine: llama.cpp's math cores, not the logical count
    expect(resolveThreadsBatch("auto", "auto", { cpuMathCores: 4, logicalCores: 8 })).toBe(4);
    // explicit threads (fidelity runs, `threads: [1, 2]` sweeps): batches use the same count, like llama.cpp's -tb
    expect(resolveThreadsBatch("auto", 1, { cpuMathCores: 2, logicalCores: 2 })).toBe(1);
    expect(resolveThreadsBatch("auto", 3, { cpuMathCores: 8, logicalCores: 8 })).toBe(3);
    // explicit threadsBatch wins
    expect(resolveThreadsBatch(6, 1, { cpuMathCores: 2, logicalCores: 2 })).toBe(6);
    expect(resolveThreadsBatch("auto", "auto", { cpuMathCores: 0, logicalCores: 1 })).toBe(1);
});

/** A stand-in for node-llama-cpp's lone-context thread splitter: each decode runs at min(context threads, maxThreads). */
function fakeEngine() {
    const llama = { maxThreads: 0 };
    let contextThreads = 0;
    let last = 0;
    return {
        llama,
        create(threads: number) {
            contextThreads = threads;
        },
        decode() {
            last = llama.maxThreads === 0 ? contextThreads : Math.min(contextThreads, llama.maxThreads);
        },
        context: { get currentThreads() { return last; } }
    };
}

test("the thread switch budgets batches and decodes separately, and says when the engine ignored it", () => {
    const engine = fakeEngine();
    const threads = makeThreadSwitch(engine.llama, 1, 2);
    expect(threads.contextThreads).toBe(2);
    engine.create(threads.contextThreads);
    threads.batch();
    engine.decode();
    expect(engine.context.currentThreads).toBe(2);
    expect(threads.check(engine.context, "batch")).toBeUndefined();
    threads.decode();
    engine.decode();
    expect(engine.context.currentThreads).toBe(1);
    expect(threads.check(engine.context, "decode")).toBeUndefined();
    // a decode that ran at the batch count is reported
    threads.batch();
    engine.decode();
    const warning = threads.check(engine.context, "decode")!;
    expect(warning).toEqual({ kind: "threadSplit", phase: "decode", used: 2, expected: 1 });
    expect(warningText(warning)).toBe(
        "node-llama-cpp ran a single-token decode at 2 threads, not the 1 asked for: the batch/decode thread split did not take effect"
    );
    // a second context (the quality pass) is made at the full count again, not at the decode count left behind
    threads.decode();
    threads.forContext();
    expect(engine.llama.maxThreads).toBe(2);
    threads.release();
    expect(engine.llama.maxThreads).toBe(0);
});

test("one count for both leaves node-llama-cpp without a thread budget, exactly as before the split existed", () => {
    const engine = fakeEngine();
    const threads = makeThreadSwitch(engine.llama, 2, 2);
    expect(engine.llama.maxThreads).toBe(0);
    threads.batch();
    threads.decode();
    expect(engine.llama.maxThreads).toBe(0);
    engine.create(threads.contextThreads);
    engine.decode();
    expect(threads.check(engine.context, "decode")).toBeUndefined();
});
