// Shares a file of one artifact with another without copying its bytes: a hard link (both artifacts are immutable
// once published), or a copy where the filesystem has no hard link between the two paths (another device, a
// filesystem without links, a link count at its limit). The bytes, and so the artifact, are the same either way.
import { copyFile, link } from "node:fs/promises";

/** errno codes of "no hard link here" (EXDEV: another device; EPERM/ENOTSUP/EOPNOTSUPP: links not allowed; EMLINK). */
const NO_LINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK"]);

export type Shared = "linked" | "copied";

/** Links src at dst, or copies it (after `beforeCopy`, e.g. a free-space check) when no link can be made. */
export async function linkOrCopy(src: string, dst: string, beforeCopy?: () => void): Promise<Shared> {
  try {
    await link(src, dst);
    return "linked";
  } catch (e) {
    if (!NO_LINK.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
  beforeCopy?.();
  await copyFile(src, dst);
  return "copied";
}
