// sha256 of files and directory trees. A tree digest covers relative paths, sizes and contents, never absolute paths.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, sep } from "node:path";

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

export interface TreeFile {
  /** Relative path with '/' separators. */
  rel: string;
  abs: string;
  size: number;
}

/** Every regular file below `root` (or `root` itself if a file), sorted by relative path for stable digests. */
export async function listTree(root: string): Promise<TreeFile[]> {
  const st = await stat(root);
  if (st.isFile()) return [{ rel: "", abs: root, size: st.size }];
  const out: TreeFile[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(abs, rel);
      else if (e.isFile()) out.push({ rel, abs, size: (await stat(abs)).size });
      else if (e.isSymbolicLink()) {
        const t = await stat(abs); // follow: the content is what matters
        if (t.isDirectory()) await walk(abs, rel);
        else out.push({ rel, abs, size: t.size });
      }
    }
  };
  await walk(root, "");
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Digest of a tree from per-file digests: sha256 over "rel\0size\0sha256\n" lines. */
export function treeDigest(files: Array<{ rel: string; size: number; sha256: string }>): string {
  return sha256Hex(files.map((f) => `${f.rel.split(sep).join("/")}\0${f.size}\0${f.sha256}\n`).join(""));
}
