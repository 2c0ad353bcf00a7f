// The manifest's file list: every file below the attempt's output directory with its size and sha256. A digest the
// stage computed while writing the file (protocol event `digests`) is taken when the file's stamp still matches, so a
// multi-GB output is not read back; any other file, or one changed since it was hashed, is hashed here.
import { listTree, sha256File } from "../../cache/digest.js";
import type { Manifest } from "../../cache/manifest.js";
import { fileStamp } from "../../lib/os/file-stamp.js";
import type { OutputDigest } from "./protocol.js";

export async function manifestFiles(outDir: string, written: ReadonlyMap<string, OutputDigest>): Promise<Manifest["files"]> {
  const files: Manifest["files"] = [];
  for (const f of await listTree(outDir)) {
    const w = written.get(f.rel);
    const sha256 = w && w.stamp === fileStamp(f.abs) ? w.sha256 : await sha256File(f.abs);
    files.push({ path: f.rel, size: f.size, sha256 });
  }
  return files;
}
