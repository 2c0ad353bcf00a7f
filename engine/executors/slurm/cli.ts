// The Slurm client commands dnaflow uses (sbatch, scontrol, sacct, scancel), run without a shell.
import { execFile, spawnSync } from "node:child_process";

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The binary is not on PATH. */
  missing: boolean;
}

export function slurmCmd(bin: string, args: string[], timeoutMs = 30_000): Promise<CmdResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 16 << 20, encoding: "utf8" }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({ code: e ? (typeof e.code === "number" ? e.code : 127) : 0, stdout: stdout ?? "", stderr: stderr ?? "", missing: e?.code === "ENOENT" });
    });
  });
}

/** Job ids submitted by this process and not yet finished: cancelled if the process exits early (second Ctrl-C). */
const live = new Set<string>();
let hooked = false;

export function trackJob(id: string): void {
  live.add(id);
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      if (live.size) spawnSync("scancel", [...live], { timeout: 10_000, stdio: "ignore" });
    });
  }
}

export function untrackJob(id: string): void {
  live.delete(id);
}

export async function scancel(id: string): Promise<void> {
  await slurmCmd("scancel", [id]);
}
