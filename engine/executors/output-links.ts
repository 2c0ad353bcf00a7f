// A `run:` stage's outputs may not be symbolic links that leave its output directory: the published object would be a
// pointer to bytes the store does not hold (they can change or vanish while verify passes), and an absolute link into
// the attempt directory would dangle once the attempt is renamed into objects/.
import { lstat, readdir, readlink } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, dirname } from "node:path";
import { StageFailure } from "./types.js";

/** Throws a StageFailure (not retried: the command would do the same again) naming the first link that leaves `outDir`. */
export async function refuseEscapingLinks(outDir: string): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isSymbolicLink()) {
        const target = await readlink(abs);
        const to = resolve(dirname(abs), target);
        const rel = relative(outDir, to);
        const shown = relative(outDir, abs);
        if (isAbsolute(target) || rel.startsWith("..") || isAbsolute(rel)) {
          throw new StageFailure(
            `output ${shown} is a symbolic link to ${target}, outside the stage's outputs: the store keeps bytes, not pointers; copy the file (cp, not ln -s)`,
            true,
          );
        }
        if (!(await lstat(to).catch(() => undefined))) throw new StageFailure(`output ${shown} is a symbolic link to ${target}, which does not exist`, true);
      }
    }
  };
  const top = await lstat(outDir).catch(() => undefined);
  if (top?.isDirectory()) await walk(outDir);
}
