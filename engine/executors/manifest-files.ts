// The manifest's file list: every file below the attempt's output directory with its size and sha256, hashed only
// when nothing vouches for its bytes already. A digest the stage computed while writing the file (protocol event
// `digests`) is taken while the file's stamp still matches, so a multi-GB output is not read back; a hard link to an
// input file (genome/split links the segment shards) takes the input's verified digest, since it is the same inode,
// unchanged; any other file, or one changed since, is hashed here.
import type { DigestCache } from "../../cache/digest-cache.js";
import { listTree, sha256File } from "../../cache/digest.js";
import type { Manifest } from "../../cache/manifest.js";
import type { InputItem } from "../../core/input-item.js";
import { fileStamp } from "../../lib/os/file-stamp.js";
import type { OutputDigest } from "./protocol.js";

export async function manifestFiles(
  outDir: string,
  written: ReadonlyMap<string, OutputDigest>,
  inputs: Promise<ReadonlyMap<string, string>> | ReadonlyMap<string, string> = new Map(),
): Promise<Manifest["files"]> {
  const byInode = await inputs;
  const files: Manifest["files"] = [];
  for (const f of await listTree(outDir)) {
    const w = written.get(f.rel);
    let sha256 = w && w.stamp === fileStamp(f.abs) ? w.sha256 : undefined;
    sha256 ??= byInode.get(fileStamp(f.abs, { ctime: false })!);
    files.push({ path: f.rel, size: f.size, sha256: sha256 ?? (await sha256File(f.abs)) });
  }
  return files;
}

/**
 * The digests the digest memory holds for the stage's upstream inputs (verified before the stage ran), by inode stamp
 * without ctime (a hard link changes the inode's ctime, not its bytes).
 */
export async function inputFileDigests(inputs: Record<string, InputItem[]>, digests: DigestCache): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const items of Object.values(inputs))
    for (const item of items) {
      if (item.from === undefined) continue; // external files: not verified objects
      const files = await listTree(item.path).catch(() => []); // only a shortcut: without it, outputs are hashed
      for (const f of files) {
        const sha = digests.known(f.abs);
        const stamp = sha && fileStamp(f.abs, { ctime: false });
        if (stamp) out.set(stamp, sha);
      }
    }
  return out;
}
