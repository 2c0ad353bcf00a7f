// Shared benchmark helpers: timing commands with peak RSS (GNU time), machine description.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { readdirSync, readFileSync } from "node:fs";

export interface Timed {
  seconds: number;
  maxRssMb: number;
  code: number | null;
  stderr: string;
}

/** Runs argv under /usr/bin/time to get wall time and peak RSS of the whole command. */
export function timed(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Timed {
  const t = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "__RSS_KB=%M", ...argv], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const m = /__RSS_KB=(\d+)/.exec(r.stderr ?? "");
  if (!m) throw new Error(`/usr/bin/time did not report (install Debian 'time'): ${r.error?.message ?? r.stderr}`);
  return { seconds, maxRssMb: Number(m[1]) / 1024, code: r.status, stderr: r.stderr };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function machine(): string {
  let os = "";
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "";
  } catch {
    os = process.platform;
  }
  // The load average says how shared the machine was while measuring (other jobs skew wall times).
  return `${cpus()[0]?.model ?? "cpu"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os}, Node ${process.version}; load average ${loadavg()[0].toFixed(2)} at the start`;
}

/**
 * Whether this is a virtual machine whose balloon returns freed memory to its host (virtio-balloon feature bit 5,
 * free page reporting): a page the guest touches again after that faults on the host, and the time shows up as the
 * guest's system time in whatever first writes the page (the page cache filling, for a stage writing GBs).
 */
export function freePageReporting(): boolean {
  try {
    const dir = "/sys/bus/virtio/drivers/virtio_balloon";
    return readdirSync(dir)
      .filter((d) => d.startsWith("virtio"))
      .some((d) => readFileSync(`${dir}/${d}/features`, "utf8")[5] === "1");
  } catch {
    return false;
  }
}

export function have(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Installs Debian packages a benchmark compares against (the bench may install; tests may not rely on it). */
export function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: ["ignore", "ignore", "inherit"], env });
}

/**
 * Runs argv without blocking this process's event loop (so timers such as a load-average sampler keep firing, which a
 * spawnSync would stop); resolves with the exit status and the output.
 */
export function spawnAsync(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}
