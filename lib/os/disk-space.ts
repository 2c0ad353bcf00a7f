// Fail before writing when a stage's estimated output cannot fit: a multi-GB stage that fills the disk halfway wastes
// its time and can starve other writers of the store's filesystem.
import { readdirSync, statfsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

export class NoSpaceError extends Error {
  override name = "NoSpaceError";
}

const gb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`);

/** Free bytes (for unprivileged users) on the filesystem holding `path` (or its nearest existing parent). */
export function freeBytes(path: string): number {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return s.bavail * s.bsize;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || dirname(p) === p) throw e;
    }
  }
}

/** Throws NoSpaceError naming both sizes when `estimate` bytes do not fit where `outPath` will be written. */
export function ensureSpace(outPath: string, estimate: number, what: string): void {
  const free = freeBytes(outPath);
  if (estimate > free) {
    throw new NoSpaceError(
      `${what}: estimated output ${gb(estimate)} does not fit: ${gb(free)} free on the store's filesystem (${outPath}); nothing was written`,
    );
  }
}

/** Total size of a file or directory tree (an input's bytes, for estimates). */
export function treeBytes(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += treeBytes(join(path, e));
  return n;
}
