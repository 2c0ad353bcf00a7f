// Resource slots (cpus, gpus, memory) detected from the machine; a stage waits until its request fits.
import { availableParallelism, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import type { Resources } from "../stage.js";

export function detectResources(env = process.env): Resources {
  return { cpus: availableParallelism(), gpus: detectGpus(env), memory: totalmem() };
}

function detectGpus(env: NodeJS.ProcessEnv): number {
  if (env.CUDA_VISIBLE_DEVICES !== undefined) return env.CUDA_VISIBLE_DEVICES.split(",").filter((s) => s.trim() && s.trim() !== "-1").length;
  try {
    return execFileSync("nvidia-smi", ["-L"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 })
      .split("\n")
      .filter((l) => l.startsWith("GPU ")).length;
  } catch {
    return 0;
  }
}

/** A request larger than the machine is clamped to it (like Snakemake's --cores), so the stage can still run. */
export function clampToCapacity(req: Resources, cap: Resources): Resources {
  return { cpus: Math.min(req.cpus, cap.cpus), gpus: Math.min(req.gpus, cap.gpus), memory: cap.memory ? Math.min(req.memory, cap.memory) : req.memory };
}

interface Waiter {
  req: Resources;
  grant: () => void;
}

export class ResourcePool {
  private free: Resources;
  private waiters: Waiter[] = [];

  constructor(readonly capacity: Resources) {
    this.free = { ...capacity };
  }

  private fits(r: Resources): boolean {
    return r.cpus <= this.free.cpus + 1e-9 && r.gpus <= this.free.gpus && r.memory <= this.free.memory;
  }

  private take(r: Resources, sign: 1 | -1): void {
    this.free = { cpus: this.free.cpus - sign * r.cpus, gpus: this.free.gpus - sign * r.gpus, memory: this.free.memory - sign * r.memory };
  }

  /** Resolves with a release function once the (clamped) request fits. */
  async acquire(request: Resources, signal?: AbortSignal): Promise<() => void> {
    const req = clampToCapacity(request, this.capacity);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.take(req, -1);
      this.drain();
    };
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(signal!.reason);
        }
      };
      const w: Waiter = { req, grant: () => (signal?.removeEventListener("abort", onAbort), resolve()) };
      this.waiters.push(w);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.drain();
    });
    return release;
  }

  private drain(): void {
    // First fit in arrival order: a small stage may pass a large one that does not fit yet.
    for (const w of [...this.waiters]) {
      if (this.fits(w.req)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        this.take(w.req, 1);
        w.grant();
      }
    }
  }
}
