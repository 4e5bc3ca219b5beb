/**
 * A file a suite names (`path:`, `like:`, `file:`, `quality.corpus`, `quality.reference`): `${NAME}` is replaced by
 * the environment variable NAME, then the path is taken relative to the suite's folder. So a shared suite can point
 * at models where each user keeps them (`${MODELS}/qwen-q4_k_m.gguf`) instead of a path only its author has.
 */
import path from "node:path";

const variable = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Whether `written` names an environment variable, which makes it a local path (never a Hub name). */
export function namesVariable(written: string): boolean {
    return written.includes("${");
}

/**
 * `written` with its `${NAME}` replaced from `env`, resolved against `dir`; or what was expected when a variable is
 * unset or empty, or a `$` is not part of a `${NAME}`.
 */
export function suitePath(written: string, dir: string, env: NodeJS.ProcessEnv = process.env): { path: string } | { expected: string } {
    let missing: string | undefined;
    const expanded = written.replace(variable, (_, name: string) => {
        const value = env[name];
        if (value == null || value === "") missing ??= name;
        return value ?? "";
    });
    if (missing != null) return { expected: `the environment variable ${missing} to be set (the path uses \${${missing}})` };
    if (expanded.includes("${")) return { expected: "`${NAME}` with NAME of letters, digits and `_` (an environment variable)" };
    return { path: path.resolve(dir, expanded) };
}
