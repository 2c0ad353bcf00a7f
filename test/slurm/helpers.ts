// Shared by the Slurm tests: pipelines, and following a `dnaflow run --json` child as its events arrive.
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Poll fast: the test cluster schedules in well under a second. */
export const FAST = { DNAFLOW_SLURM_POLL_MS: "200" };

/** Events of a running `dnaflow run --json`, collected as they arrive. */
export function follow(child: ChildProcess): {
  child: ChildProcess;
  events: Array<Record<string, any>>;
  stderr: () => string;
  exit: Promise<number | null>;
  waitFor(pred: (e: Record<string, any>) => boolean, ms?: number): Promise<Record<string, any>>;
} {
  const events: Array<Record<string, any>> = [];
  let buf = "";
  let err = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) events.push(JSON.parse(line));
    }
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => (waiters.splice(0).forEach((w) => w()), resolve(code))));
  const waitFor = (pred: (e: Record<string, any>) => boolean, ms = 30_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const t0 = Date.now();
      const check = () => {
        const hit = events.find(pred);
        if (hit) return resolve(hit);
        if (child.exitCode !== null) return reject(new Error(`dnaflow exited ${child.exitCode} first; events: ${JSON.stringify(events)} stderr: ${err}`));
        if (Date.now() - t0 > ms) return reject(new Error(`timed out; events: ${JSON.stringify(events)}`));
        waiters.push(check);
        setTimeout(check, 200);
      };
      check();
    });
  return { child, events, stderr: () => err, exit, waitFor };
}

/** Slurm job ids from "submitted as slurm job N" events. */
export function jobIds(events: Array<Record<string, any>>, id?: string): string[] {
  return events
    .filter((e) => e.type === "stage-waiting" && (!id || e.id === id))
    .map((e) => /submitted as slurm job (\d+)/.exec(e.reason)?.[1])
    .filter((x): x is string => !!x);
}

export { until } from "../helpers/until.js";

/** Every file of every object in a store, as key/relative path → bytes. */
export function storeBytes(store: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, n.name);
      if (n.isDirectory()) walk(p, `${rel}/${n.name}`);
      else out.set(`${rel}/${n.name}`, readFileSync(p));
    }
  };
  const objects = join(store, "objects");
  if (existsSync(objects)) for (const k of readdirSync(objects)) walk(join(objects, k, "out"), k);
  return out;
}
