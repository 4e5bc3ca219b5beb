/**
 * Every path the model cache writes, links or deletes is made here and checked to stay inside its root: lexically
 * (no `..` or absolute part can lead out), and before writing, through the folders already on disk (a folder in
 * the cache that is a symlink to elsewhere is refused too).
 */
import { realpath } from "node:fs/promises";
import path from "node:path";
import { visible } from "../format/visible.ts";
import { makeDir } from "../makeDir.ts";

/** Thrown when a path would leave its root: a bug or a hostile name that got past validation. */
export class OutsideRootError extends Error {
    override readonly name = "OutsideRootError";
}

function isInside(root: string, target: string): boolean {
    const relative = path.relative(root, target);
    return relative === "" || (!path.isAbsolute(relative) && relative !== ".." && !relative.startsWith(`..${path.sep}`));
}

/** `root` joined with `parts`, resolved; throws OutsideRootError unless the result is `root` or below it. */
export function pathInside(root: string, ...parts: string[]): string {
    const base = path.resolve(root);
    const target = path.resolve(base, ...parts);
    if (!isInside(base, target)) throw new OutsideRootError(`refusing to touch ${visible(target)}: it is outside ${visible(base)}`);
    return target;
}

/**
 * Makes `target`'s folder (and `root`) and checks, on disk, that the folder really lies inside `root` once every
 * symlink on the way is followed. Call before writing, linking or renaming to `target`.
 */
export async function prepareInside(root: string, target: string): Promise<void> {
    const base = path.resolve(root);
    const folder = path.dirname(pathInside(base, target));
    await makeDir(base);
    const realBase = await realpath(base);
    // the deepest folder that exists already, followed through symlinks, must be inside the root...
    let existing = folder;
    for (;;) {
        const real = await realpath(existing).catch(() => undefined);
        if (real != null) {
            if (!isInside(realBase, real)) throw new OutsideRootError(`refusing to write under ${visible(existing)}: it leads to ${visible(real)}, outside ${visible(realBase)}`);
            break;
        }
        existing = path.dirname(existing);
    }
    // ...and so must the folder once made
    await makeDir(folder);
    const real = await realpath(folder);
    if (!isInside(realBase, real)) throw new OutsideRootError(`refusing to write under ${visible(folder)}: it leads to ${visible(real)}, outside ${visible(realBase)}`);
}

/** Whether `target`, followed through every symlink, lies inside `root` (for a delete of what a link points at). */
export async function realInside(root: string, target: string): Promise<boolean> {
    const [realBase, real] = await Promise.all([realpath(root).catch(() => undefined), realpath(target).catch(() => undefined)]);
    return realBase != null && real != null && isInside(realBase, real);
}
