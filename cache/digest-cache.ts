// Remembers file digests by (dev, inode, size, mtime, ctime) so that a 3 GB FASTA is hashed once, not every run.
// ctime cannot be set from user space, so an in-place edit (even one that restores mtime) is always noticed.
// A published object's files are never modified in place, and genome/split shares them as hard links (a link changes
// the inode's ctime): their stamp leaves ctime out, or every split would make the next run rehash the genome once per
// path sharing it. `dnaflow verify --fresh` rehashes them all the same.
import { readFileSync } from "node:fs";
import { fileStamp } from "../lib/os/file-stamp.js";
import { writeFileAtomic } from "./atomic.js";
import { sha256File } from "./digest.js";
import { isPublishedObjectFile } from "./layout.js";

type Entry = [stamp: string, sha256: string];

function stampOf(path: string): string | undefined {
  return fileStamp(path, { ctime: !isPublishedObjectFile(path) });
}

export class DigestCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      this.entries = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      this.entries = {}; // missing or unreadable: start empty, the cache is only an optimisation
    }
  }

  /** sha256 of the file, from the cache when its stat stamp is unchanged (`fresh` always rehashes). */
  async digest(path: string, opts: { fresh?: boolean } = {}): Promise<string> {
    const stamp = stampOf(path);
    if (!stamp) throw Object.assign(new Error(`${path}: no such file`), { code: "ENOENT" });
    const hit = this.entries[path];
    if (!opts.fresh && hit && hit[0] === stamp) return hit[1];
    const sha = await sha256File(path);
    this.entries[path] = [stamp, sha];
    this.dirty = true;
    return sha;
  }

  /** The remembered sha256 of the file while its stat stamp is unchanged; never hashes. */
  known(path: string): string | undefined {
    const hit = this.entries[path];
    return hit && hit[0] === stampOf(path) ? hit[1] : undefined;
  }

  /** Records a digest computed elsewhere (e.g. while writing a manifest). */
  remember(path: string, sha256: string): void {
    const stamp = stampOf(path);
    if (!stamp) return;
    this.entries[path] = [stamp, sha256];
    this.dirty = true;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    try {
      writeFileAtomic(this.file, JSON.stringify(this.entries));
    } catch (e) {
      // Only an optimisation: a read-only or full store must not fail a command (verify, a no-op run) over it.
      if (["EROFS", "EACCES", "EPERM", "ENOSPC", "EDQUOT"].includes((e as NodeJS.ErrnoException).code ?? "")) return;
      throw e;
    }
    this.dirty = false;
  }
}
