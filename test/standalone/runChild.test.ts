import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { runChild } from "../../runner/exec/runChild.ts";
import type { Config } from "../../runner/plan/types.ts";
import { defaultSettings } from "../../runner/suite/types.ts";

const childEntry = fileURLToPath(new URL("./fixtures/fakeChild.ts", import.meta.url));
const config: Config = {
    id: "abc123", label: "fake", model: { source: "path", path: "/nowhere.gguf" },
    params: { ...defaultSettings, timeout: 5 }, prompts: [{ id: "p", text: "hi", kind: "chat" }], tests: []
};
const run = (mode: string, extra: Parameters<typeof runChild>[2] = {}) =>
    runChild(config, "/nowhere.gguf", { childEntry, env: { FAKE_CHILD_MODE: mode }, ...extra });

describe("runChild turns what a child does into one outcome", () => {
    test("a result and a clean exit is ok, with progress and echoed text passed through", async () => {
        const steps: string[] = [];
        const texts: string[] = [];
        const outcome = await run("ok", { echo: true, onProgress: (p) => steps.push(p.step), onText: (t) => texts.push(t) });
        expect(outcome.status).toBe("ok");
        if (outcome.status !== "ok") return;
        // fork → ready is recorded as the child's start (harness time in the wall-versus-work account)
        expect(outcome.startMs).toBeGreaterThan(0);
        expect(outcome.result.measurements.map((m) => m.metrics.decodeTps)).toEqual([10, 20, 30]);
        expect(steps).toEqual(["loading abc123"]);
        expect(texts).toEqual(["hello"]);
    });

    test("an error message from the child is `failed` with the child's reason", async () => {
        const outcome = await run("fail");
        expect(outcome).toMatchObject({ status: "failed", error: "llama.cpp: tensor data is not within the file bounds" });
    });

    test("a child killed mid-decode is `crashed`, naming the signal, the phase and the last stderr line", async () => {
        const outcome = await run("crash");
        expect(outcome.status).toBe("crashed");
        if (outcome.status !== "crashed") return;
        expect(outcome.error).toContain("SIGKILL");
        expect(outcome.error).toContain("decode");
        expect(outcome.error).toContain("GGML_ASSERT(ok) failed");
    });

    test("a config that will not fit is `skipped` with the reason", async () => {
        expect(await run("skip")).toMatchObject({ status: "skipped", error: "needs ~40 GiB RAM, 20 GiB free" });
    });

    test("a child that outlives its timeout is killed and recorded as `timeout`", async () => {
        const outcome = await run("hang", { timeoutMs: 1500 });
        expect(outcome.status).toBe("timeout");
        if (outcome.status === "timeout") expect(outcome.error).toContain("phase: decode");
    });

    test("a child that never says ready is a `timeout` at the start", async () => {
        const outcome = await run("never-ready", { startTimeoutMs: 3000 });
        expect(outcome).toMatchObject({ status: "timeout" });
        if (outcome.status === "timeout") expect(outcome.error).toContain("no ready message");
        expect(outcome.startMs).toBeUndefined();
    });

    test("aborting (Ctrl-C) kills the child and reports `interrupted`, not a crash", async () => {
        const controller = new AbortController();
        const pending = run("hang", { signal: controller.signal, onProgress: (p) => p.phase === "decode" && controller.abort() });
        expect((await pending).status).toBe("interrupted");
    });

    test("with startAfter, the child is told to start only once that work is done", async () => {
        let done = false;
        const steps: string[] = [];
        const gate = new Promise<void>((resolve) => setTimeout(() => { done = true; resolve(); }, 1500));
        const outcome = await run("ok", { startAfter: gate, onProgress: (p) => steps.push(`${p.step} after gate: ${done}`) });
        expect(outcome.status).toBe("ok");
        expect(steps).toEqual(["loading abc123 after gate: true"]);
    });

    test("a failed startAfter kills the ready child before it starts: `failed`, with the reason", async () => {
        const steps: string[] = [];
        const gate = new Promise<void>((_, reject) => setTimeout(() => reject(new Error("could not read the machine's facts: boom")), 100));
        const outcome = await run("ok", { startAfter: gate, onProgress: (p) => steps.push(p.step) });
        expect(outcome).toMatchObject({ status: "failed", error: "not started: could not read the machine's facts: boom" });
        expect(steps).toEqual([]);
    });

    test("a startAfter that has already failed before the child is forked is handled by runChild itself: no unhandled rejection", async () => {
        // the order that ended Node in a real run (a machine probe failing before the first child is ready), made
        // certain instead of left to the machine's load: the gate is rejected before runChild is even called
        const unhandled: unknown[] = [];
        const listener = (reason: unknown) => unhandled.push(reason);
        process.on("unhandledRejection", listener);
        try {
            const gate = Promise.reject(new Error("could not read the machine's facts: boom"));
            const outcome = await run("ok", { startAfter: gate });
            await new Promise((resolve) => setImmediate(resolve));
            expect(outcome).toMatchObject({ status: "failed", error: "not started: could not read the machine's facts: boom" });
            expect(unhandled).toEqual([]);
        } finally {
            process.off("unhandledRejection", listener);
        }
    });
});
