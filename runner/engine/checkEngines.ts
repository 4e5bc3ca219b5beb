/**
 * Before a run: every engine its configs ask for, other than the prebuilt binaries every install has, must load
 * here. A suite that asks for `engine: local` without a local build is refused as bad input (exit 2, nothing run),
 * with how to make one, instead of failing config after config.
 */
import type { Config } from "../plan/types.ts";
import type { EngineInfo } from "../results.ts";
import type { GpuBackend } from "../suite/types.ts";

/** Loads the local engine for a backend setting (in a probe child) or throws why it cannot. */
export type LocalEngineProbe = (gpu: GpuBackend) => Promise<EngineInfo>;

/** Probes the local engine once per backend setting that `engine: local` configs use; throws the first refusal. */
export async function checkEngines(configs: readonly Config[], probeLocal: LocalEngineProbe): Promise<void> {
    const backends = new Set(configs.filter((config) => config.params.engine === "local").map((config) => config.params.gpu));
    for (const gpu of backends) await probeLocal(gpu);
}
