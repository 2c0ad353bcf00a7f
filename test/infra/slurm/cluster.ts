// A real single-node Slurm cluster (munged + slurmctld + slurmd from Debian's slurm-wlm) for one test file: started in
// a temp state dir on free ports, stopped by the pids it wrote. Missing Slurm is a failure, never a skip.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../helpers/paths.js";

export const INSTALL_HINT = "apt-get install -y slurm-wlm munge";
const BINARIES = ["munged", "slurmctld", "slurmd", "sinfo", "sbatch", "scontrol", "scancel"];

export interface Cluster {
  stateDir: string;
  /** Environment for processes that talk to this cluster (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** `scontrol show job -o ID` as a field map (JobState, ExitCode, NumCPUs, ...). */
  job(id: string): Record<string, string>;
  /** Runs a Slurm client command against this cluster; throws on a non-zero exit. */
  cmd(bin: string, args: string[]): string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function missingBinaries(path = process.env.PATH ?? ""): string[] {
  return BINARIES.filter((b) => spawnSync("sh", ["-c", `command -v ${b}`], { env: { PATH: path } }).status !== 0);
}

export async function startCluster(opts: { path?: string } = {}): Promise<Cluster> {
  const missing = missingBinaries(opts.path);
  if (missing.length) throw new Error(`Slurm is not installed (${missing.join(", ")} not on PATH): ${INSTALL_HINT}`);
  const stateDir = mkdtempSync(join(tmpdir(), "dnaflow-slurm-"));
  const scripts = join(repoRoot(), "test", "infra", "slurm");
  const [ctld, slurmd] = [await freePort(), await freePort()];
  const r = spawnSync("bash", [join(scripts, "start.sh"), stateDir, String(ctld), String(slurmd)], { encoding: "utf8", timeout: 60_000 });
  const env = { ...process.env, SLURM_CONF: join(stateDir, "slurm.conf") };
  const stop = () => {
    spawnSync("bash", [join(scripts, "stop.sh"), stateDir], { env, stdio: "ignore", timeout: 30_000 });
    for (const f of ["slurmctld.pid", "slurmd.pid", "munge/munged.pid"]) {
      const pidFile = join(stateDir, "run", f);
      if (!existsSync(pidFile)) continue;
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      try {
        if (pid > 0) process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  if (r.status !== 0) {
    stop();
    throw new Error(`could not start the Slurm test cluster (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  const cmd = (bin: string, args: string[]) => {
    const x = spawnSync(bin, args, { env, encoding: "utf8", timeout: 30_000 });
    if (x.status !== 0) throw new Error(`${bin} ${args.join(" ")}: exit ${x.status}: ${x.stderr}`);
    return x.stdout;
  };
  const job = (id: string) => {
    const line = cmd("scontrol", ["show", "job", "-o", id]).trim();
    return Object.fromEntries([...line.matchAll(/(?:^|\s)([A-Za-z:/]+)=(\S*)/g)].map((m) => [m[1], m[2]]));
  };
  return { stateDir, env, job, cmd, stop };
}
