import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareAnchorEngine, formatAnchorEngine, parseCpuBackendPath, prebuiltFolderName } from "../../runner/fidelity/anchorEngine.ts";

describe("parseCpuBackendPath", () => {
    it("reads the file llama-bench's ggml says it loaded", () => {
        const stderr = "load_backend: loaded CPU backend from /opt/lb/libggml-cpu-zen4.so\nllama_model_loader: loaded meta data\n";
        expect(parseCpuBackendPath(stderr)).toBe("/opt/lb/libggml-cpu-zen4.so");
    });
    it("is null when llama-bench did not say (a build without loadable backends)", () => {
        expect(parseCpuBackendPath("llama_model_loader: loaded meta data\n")).toBeNull();
    });
});

describe("prebuiltFolderName", () => {
    it("uses node-llama-cpp's platform names", () => {
        expect(prebuiltFolderName("linux", "x64")).toBe("linux-x64");
        expect(prebuiltFolderName("darwin", "arm64")).toBe("mac-arm64");
        expect(prebuiltFolderName("win32", "x64")).toBe("win-x64");
        expect(prebuiltFolderName("aix", "ppc64")).toBeNull();
    });
});

describe("compareAnchorEngine", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "anchor-"));
    const bins = path.join(dir, "bins");
    const anchor = path.join(dir, "anchor");
    for (const d of [bins, anchor]) mkdirSync(d);
    writeFileSync(path.join(bins, "libggml-cpu-zen4.so"), "prebuilt bytes");
    writeFileSync(path.join(anchor, "libggml-cpu-zen4.so"), "prebuilt bytes");
    writeFileSync(path.join(anchor, "libggml-cpu-haswell.so"), "other bytes");
    writeFileSync(path.join(bins, "libggml-cpu-haswell.so"), "prebuilt haswell");

    it("says same only for the very bytes node-llama-cpp ships", async () => {
        const same = await compareAnchorEngine(path.join(anchor, "libggml-cpu-zen4.so"), bins);
        expect(same.verdict).toBe("same");
        expect(formatAnchorEngine(same)).toMatch(/byte for byte node-llama-cpp's prebuilt/);
        const different = await compareAnchorEngine(path.join(anchor, "libggml-cpu-haswell.so"), bins);
        expect(different.verdict).toBe("different");
        expect(formatAnchorEngine(different)).toMatch(/differs .*same-binaries/);
    });
    it("is unknown without a file to compare with", async () => {
        expect((await compareAnchorEngine(path.join(anchor, "libggml-cpu-zen4.so"), null)).verdict).toBe("unknown");
        expect((await compareAnchorEngine(path.join(anchor, "libggml-cpu-zen4.so"), path.join(dir, "nowhere"))).verdict).toBe("unknown");
        const silent = await compareAnchorEngine(null, bins);
        expect(silent.verdict).toBe("unknown");
        expect(formatAnchorEngine(silent)).toMatch(/did not say/);
    });
});

describe("prebuiltBinsDir", () => {
    it.runIf(process.platform === "linux" && process.arch === "x64")("finds the installed node-llama-cpp's CPU binaries", async () => {
        const { prebuiltBinsDir } = await import("../../runner/fidelity/anchorEngine.ts");
        expect(prebuiltBinsDir()).toMatch(/@node-llama-cpp[/\\]linux-x64[/\\]bins[/\\]linux-x64$/);
        expect(prebuiltBinsDir("aix", "ppc64")).toBeNull();
    });
});
