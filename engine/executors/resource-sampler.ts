// What a stage's process tree used: CPU seconds, peak RSS, bytes read/written and (when nvidia-smi is there) GPU memory
// and utilisation. Node cannot wait4() a child for its rusage, so the engine samples /proc for every process in the
// stage's process group (every stage runs in its own group, see process-group.ts). Figures are metadata for the
// manifest, never part of an output.
import { execFile, execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { StageUsage } from "../../core/usage.js";

interface PidSample {
  ppid: number;
  /** Index of the last sample that saw the process. */
  lastSeen: number;
  user: number;
  system: number;
  /** CPU ticks of its children it has reaped (wait()ed for), and of theirs. */
  childUser: number;
  childSystem: number;
  rchar: number;
  wchar: number;
  readBytes: number;
  writeBytes: number;
  hwm: number;
}

/** A process's own final figures, read by itself just before it exits (builtin-child.ts): no sampling gap. */
export interface FinalUsage {
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  rchar: number;
  wchar: number;
  readBytes: number;
  writeBytes: number;
  maxRssBytes: number;
}

/** The calling process's FinalUsage from /proc/self (Linux), or undefined elsewhere. */
export function selfFinalUsage(): FinalUsage | undefined {
  const stat = read("/proc/self/stat");
  const s = stat ? parseStat(stat) : undefined;
  if (!s) return undefined;
  const io = parseIo(read("/proc/self/io") ?? "");
  return { utime: s.utime, stime: s.stime, cutime: s.cutime, cstime: s.cstime, ...io, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Parses /proc/PID/stat: the process group and CPU ticks (the command name may hold spaces and parentheses). */
export function parseStat(text: string): { ppid: number; pgrp: number; utime: number; stime: number; cutime: number; cstime: number } | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(" "); // f[0] is field 3 (state)
  return { ppid: Number(f[1]), pgrp: Number(f[2]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
}

/** VmRSS and VmHWM (bytes) from /proc/PID/status. */
export function parseStatus(text: string): { rss: number; hwm: number } {
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** rchar, wchar, read_bytes, write_bytes from /proc/PID/io. */
export function parseIo(text: string): { rchar: number; wchar: number; readBytes: number; writeBytes: number } {
  const v = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { rchar: v("rchar"), wchar: v("wchar"), readBytes: v("read_bytes"), writeBytes: v("write_bytes") };
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined; // the process ended between listing and reading, or is not ours
  }
};

let nvidiaSmi: boolean | undefined;
function haveNvidiaSmi(): boolean {
  if (nvidiaSmi === undefined) {
    try {
      execFileSync("nvidia-smi", ["-L"], { stdio: "ignore", timeout: 5000 });
      nvidiaSmi = true;
    } catch {
      nvidiaSmi = false;
    }
  }
  return nvidiaSmi;
}

/**
 * Parses `nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits` and
 * `--query-gpu=uuid,name,utilization.gpu`: the memory (bytes) and GPUs of the given pids.
 */
export function parseNvidiaSmi(apps: string, gpus: string, pids: Set<number>): { memory: number; devices: Map<string, { name: string; util: number }> } {
  const byUuid = new Map<string, { name: string; util: number }>();
  for (const line of gpus.split("\n")) {
    const [uuid, name, util] = line.split(",").map((s) => s.trim());
    if (uuid) byUuid.set(uuid, { name, util: Number(util) || 0 });
  }
  let memory = 0;
  const devices = new Map<string, { name: string; util: number }>();
  for (const line of apps.split("\n")) {
    const [pid, uuid, mib] = line.split(",").map((s) => s.trim());
    if (!pid || !pids.has(Number(pid))) continue;
    memory += (Number(mib) || 0) * 2 ** 20;
    const g = byUuid.get(uuid);
    if (g) devices.set(uuid, g);
  }
  return { memory, devices };
}

export class GroupSampler {
  private readonly seen = new Map<number, PidSample>();
  private peakRss = 0;
  private timer: NodeJS.Timeout | undefined;
  private gpuTimer: NodeJS.Timeout | undefined;
  private gpuBusy = false;
  private gpu = { names: new Set<string>(), peak: 0, utilSum: 0, samples: 0 };
  private stopped = false;
  private samples = 0;

  constructor(
    readonly pgid: number,
    readonly intervalMs = 200,
  ) {}

  /**
   * Samples after intervalMs, then every intervalMs for the first 5 s and every 2.5 × intervalMs after that. No sample
   * at spawn: a scan of /proc costs ~1 ms, and a trivial stage (thousands of them in a big pipeline) ends before the
   * first one.
   */
  start(): this {
    const started = Date.now();
    const next = () => {
      this.timer = setTimeout(
        () => {
          this.sample();
          if (!this.stopped) next();
        },
        Date.now() - started < 5000 ? this.intervalMs : this.intervalMs * 2.5,
      );
      this.timer.unref();
    };
    next();
    if (haveNvidiaSmi()) {
      this.gpuTimer = setInterval(() => this.sampleGpu(), 1000);
      this.gpuTimer.unref();
    }
    return this;
  }

  /** One pass over /proc: every process whose process group is ours. */
  sample(): void {
    if (this.stopped) return;
    const index = ++this.samples;
    let rss = 0;
    let names: string[];
    try {
      names = readdirSync("/proc");
    } catch {
      return; // no /proc (not Linux): nothing to account
    }
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const stat = read(`/proc/${name}/stat`);
      const s = stat ? parseStat(stat) : undefined;
      if (!s || s.pgrp !== this.pgid) continue;
      const pid = Number(name);
      const st = parseStatus(read(`/proc/${name}/status`) ?? "");
      const io = parseIo(read(`/proc/${name}/io`) ?? "");
      const prev = this.seen.get(pid);
      // Counters only grow; a missing io file (permissions) must not erase what an earlier sample saw.
      this.seen.set(pid, {
        ppid: s.ppid,
        lastSeen: index,
        user: Math.max(prev?.user ?? 0, s.utime),
        system: Math.max(prev?.system ?? 0, s.stime),
        childUser: Math.max(prev?.childUser ?? 0, s.cutime),
        childSystem: Math.max(prev?.childSystem ?? 0, s.cstime),
        rchar: Math.max(prev?.rchar ?? 0, io.rchar),
        wchar: Math.max(prev?.wchar ?? 0, io.wchar),
        readBytes: Math.max(prev?.readBytes ?? 0, io.readBytes),
        writeBytes: Math.max(prev?.writeBytes ?? 0, io.writeBytes),
        hwm: Math.max(prev?.hwm ?? 0, st.hwm),
      });
      rss += st.rss;
    }
    this.peakRss = Math.max(this.peakRss, rss);
  }

  private sampleGpu(): void {
    if (this.gpuBusy || this.stopped) return;
    this.gpuBusy = true;
    const pids = new Set(this.seen.keys());
    execFile("nvidia-smi", ["--query-compute-apps=pid,gpu_uuid,used_memory", "--format=csv,noheader,nounits"], { timeout: 5000 }, (e1, apps) => {
      execFile("nvidia-smi", ["--query-gpu=uuid,name,utilization.gpu", "--format=csv,noheader,nounits"], { timeout: 5000 }, (e2, gpus) => {
        this.gpuBusy = false;
        if (e1 || e2 || this.stopped) return;
        const r = parseNvidiaSmi(apps, gpus, pids);
        if (!r.devices.size) return;
        this.gpu.peak = Math.max(this.gpu.peak, r.memory);
        for (const d of r.devices.values()) {
          this.gpu.names.add(d.name);
          this.gpu.utilSum += d.util / r.devices.size;
        }
        this.gpu.samples++;
      });
    });
  }

  /** The group leader's own final figures (it reported them on its events pipe just before exiting). */
  leaderFinal(u: FinalUsage): void {
    const prev = this.seen.get(this.pgid);
    this.seen.set(this.pgid, {
      ppid: prev?.ppid ?? 0,
      lastSeen: Number.MAX_SAFE_INTEGER, // everything it reaped is inside its children's figures
      user: u.utime,
      system: u.stime,
      childUser: u.cutime,
      childSystem: u.cstime,
      rchar: u.rchar,
      wchar: u.wchar,
      readBytes: u.readBytes,
      writeBytes: u.writeBytes,
      hwm: Math.max(prev?.hwm ?? 0, u.maxRssBytes),
    });
  }

  /** Takes a last sample (call it before the group is killed) and stops sampling. */
  stop(): void {
    // A last scan finds what the group still holds; a stage that ended before the first sample has nothing left.
    if (!this.stopped && this.samples > 0) this.sample();
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.gpuTimer);
  }

  /** The totals (after stop() and the leader's final report, which may arrive just after its exit). */
  result(): StageUsage | undefined {
    if (!this.seen.size) return undefined; // too short to be sampled, and no final report (a quick `run:` command)
    const hz = ticksPerSecond();
    let user = 0,
      system = 0,
      rchar = 0,
      wchar = 0,
      rb = 0,
      wb = 0,
      hwm = 0;
    for (const p of this.seen.values()) {
      // A process its (sampled) parent reaped before the parent's last sample is inside the parent's children
      // ticks, with its final figures: count it there, not by its own last sample (which may be up to an interval
      // stale). Short-lived processes no sample saw are counted that way too.
      const parent = this.seen.get(p.ppid);
      if (!(parent && parent.lastSeen > p.lastSeen)) {
        user += p.user + p.childUser;
        system += p.system + p.childSystem;
      }
      rchar += p.rchar;
      wchar += p.wchar;
      rb += p.readBytes;
      wb += p.writeBytes;
      hwm = Math.max(hwm, p.hwm);
    }
    return {
      method: "proc-sampling",
      intervalMs: this.intervalMs,
      cpuSeconds: (user + system) / hz,
      userSeconds: user / hz,
      systemSeconds: system / hz,
      peakRssBytes: Math.max(this.peakRss, hwm),
      readBytes: rchar,
      writeBytes: wchar,
      diskReadBytes: rb,
      diskWriteBytes: wb,
      processes: this.seen.size,
      ...(this.gpu.samples
        ? {
            gpu: {
              devices: [...this.gpu.names],
              peakMemoryBytes: this.gpu.peak,
              meanUtilization: this.gpu.utilSum / this.gpu.samples,
              samples: this.gpu.samples,
            },
          }
        : {}),
    };
  }
}

/** Samplers of groups that have ended, until the job that started them takes the usage (local.ts, after the executor
 * returned — by then the leader's final `usage` event has been relayed too). */
const finished = new Map<number, GroupSampler>();

export function recordGroupUsage(pgid: number, sampler: GroupSampler): void {
  finished.set(pgid, sampler);
}

export function takeGroupUsage(pgid: number | undefined): StageUsage | undefined {
  if (pgid === undefined) return undefined;
  const s = finished.get(pgid);
  finished.delete(pgid);
  return s?.result();
}
