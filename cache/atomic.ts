// Crash-safe writes: write a temp file, fsync it, rename over the target, fsync the directory.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { withPath } from "../core/errors.js";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  let fd: number;
  try {
    fd = openSync(tmp, "w");
  } catch (e) {
    throw Object.assign(e as Error, { path }); // the file the caller meant, not our temp name
  }
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (e) {
    // A full disk: no half-written temp file left behind, and the error names the file (write(2) names none).
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw withPath(e, path);
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsync every file below `root`, then every directory, deepest first: once it resolves, the tree is on disk, so a
 * rename that publishes it cannot survive a crash that its bytes did not. Files a writer already synced cost little.
 */
export async function fsyncTree(root: string): Promise<void> {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (dir: string) => {
    dirs.push(dir);
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.isFile()) files.push(join(dir, e.name));
    }
  };
  await walk(root);
  for (let i = 0; i < files.length; i += 8) await Promise.all(files.slice(i, i + 8).map(syncFileData)); // on the threadpool
  for (const d of dirs.reverse()) fsyncDir(d);
}

async function syncFileData(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.datasync();
  } catch (e) {
    throw withPath(e, path);
  } finally {
    await fh.close();
  }
}
