/**
 * How each `engine` setting asks node-llama-cpp for its llama.cpp binary, through `getLlama`'s public options only.
 *
 * node-llama-cpp always prefers a local build over its prebuilt binaries when one exists for the same build options
 * (`getLlama`'s `build` docs: "If a local build is found, use it"), so `prebuilt` cannot be had by leaving the local
 * build out. Its local-build lookup is keyed by the custom CMake options (the folder name carries their hash), while
 * the prebuilt lookup ignores them unless `existingPrebuiltBinaryMustMatchBuildOptions` is set. So `prebuilt` passes
 * one CMake option no build ever has, which no local build folder matches; nothing is ever compiled with it
 * (`build: "never"`). `local` turns the prebuilt binaries off, so only a local build can load.
 * Whatever loads is checked against what was asked (`checkLoadedEngine`): never a silent mix.
 */
import type { LlamaOptions } from "node-llama-cpp";
import type { Engine } from "../suite/types.ts";

/** The CMake option that keeps local builds out of the `prebuilt` lookup (never passed to a compiler). */
export const prebuiltMarkerOption = "GGUF_BENCH_ENGINE";

/** `node-llama-cpp`'s build type for each engine setting. */
export const engineBuildType = { prebuilt: "prebuilt", local: "localBuild" } as const satisfies Record<Engine, "prebuilt" | "localBuild">;

/** The `getLlama` options that select `engine`'s binary, never building or downloading anything. */
export function engineLlamaOptions(engine: Engine): Pick<LlamaOptions, "build" | "usePrebuiltBinaries" | "cmakeOptions" | "existingPrebuiltBinaryMustMatchBuildOptions" | "skipDownload"> {
    return engine === "local"
        ? { build: "never", usePrebuiltBinaries: false, skipDownload: true }
        : { build: "never", usePrebuiltBinaries: true, existingPrebuiltBinaryMustMatchBuildOptions: false, cmakeOptions: { [prebuiltMarkerOption]: "prebuilt" }, skipDownload: true };
}

/** What to tell a user who asked for `engine: local` on a machine without a local build. */
export const noLocalBuildAdvice = "no local build of llama.cpp for node-llama-cpp here: make one with `npm run engine -- build` (see docs/engine.md)";

/** Throws when the binary node-llama-cpp loaded is not the engine asked for. */
export function checkLoadedEngine(engine: Engine, buildType: "prebuilt" | "localBuild"): void {
    if (buildType !== engineBuildType[engine])
        throw new Error(`engine \`${engine}\` was asked, but node-llama-cpp loaded its ${buildType === "localBuild" ? "local build" : "prebuilt binary"}`);
}
