// Small tmpfs mounts for filesystem fault tests (a full disk, a read-only store). CI runs as root; a test that cannot
// mount fails loudly instead of skipping.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Mount {
  dir: string;
  remount(options: string): void;
  unmount(): void;
}

/** Mounts a tmpfs with `options` (e.g. "size=1m" or "ro") on a fresh directory. */
export function mountTmpfs(options: string): Mount {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-mnt-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`these tests need to mount a tmpfs (run as root): mount -t tmpfs -o ${options} failed: ${(e as { stderr?: Buffer }).stderr ?? e}`);
  }
  return {
    dir,
    remount: (o) => void execFileSync("mount", ["-o", `remount,${o}`, dir], { stdio: "pipe" }),
    unmount: () => {
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A read-only view of `src` (a bind mount remounted read-only: chmod does not stop root). */
export function readOnlyBind(src: string): Mount {
  const dir = mkdtempSync(join(tmpdir(), "dnaflow-ro-"));
  try {
    execFileSync("mount", ["--bind", src, dir], { stdio: "pipe" });
    execFileSync("mount", ["-o", "remount,bind,ro", dir], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`these tests need a read-only bind mount (run as root): ${(e as { stderr?: Buffer }).stderr ?? e}`);
  }
  return {
    dir,
    remount: (o) => void execFileSync("mount", ["-o", `remount,bind,${o}`, dir], { stdio: "pipe" }),
    unmount: () => {
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
