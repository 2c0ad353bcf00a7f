// sha256 of the files this process wrote and closed through BufferedFile, hashed on their way to the disk. The engine
// takes them for the stage's manifest instead of reading every output back (a 6 GB token shard costs ~5 s to re-read
// and hash). Each carries the file's stamp at close: a file changed afterwards no longer matches and is hashed again.
import { resolve } from "node:path";
import { fileStamp } from "../os/file-stamp.js";

export interface WrittenDigest {
  /** Absolute path. */
  path: string;
  /** lib/os/file-stamp.ts at close. */
  stamp: string;
  sha256: string;
}

const written = new Map<string, WrittenDigest>();

export function recordWrittenDigest(path: string, sha256: string): void {
  const abs = resolve(path);
  const stamp = fileStamp(abs);
  if (stamp) written.set(abs, { path: abs, stamp, sha256 });
}

export function writtenDigests(): WrittenDigest[] {
  return [...written.values()];
}
