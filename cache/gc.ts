// Garbage collection: remove objects no recent run references, never within the grace period, and stale attempts.
import { readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { hostname } from "node:os";
import { duBytes, type FsStore } from "./fs-store.js";

export interface GcOptions {
  dryRun: boolean;
  /** Keep objects referenced by the last N runs of every pipeline. */
  keepLast: number;
  /** Grace period: never remove anything younger than this (ms). */
  olderThanMs: number;
  isAlive: (pid: number, startTime?: string) => boolean;
}

export interface GcReport {
  roots: number;
  removed: Array<{ key: string; bytes: number }>;
  attemptsRemoved: number;
  bytes: number;
}

export async function collectGarbage(store: FsStore, opts: GcOptions): Promise<GcReport> {
  const roots = new Set<string>();
  for (const p of store.runs.pipelines()) for (const r of store.runs.recent(p, opts.keepLast)) for (const s of Object.values(r.stages)) roots.add(s.key);
  const cutoff = Date.now() - opts.olderThanMs;
  const report: GcReport = { roots: roots.size, removed: [], attemptsRemoved: 0, bytes: 0 };
  for (const key of store.publishedKeys()) {
    if (roots.has(key)) continue;
    const m = store.readManifest(key);
    const made = m ? Date.parse(m.timings.finished) : statSync(join(store.root, "objects", key)).mtimeMs;
    if (made > cutoff) continue;
    const bytes = opts.dryRun ? duBytes(join(store.root, "objects", key)) : await store.removeObject(key);
    report.removed.push({ key, bytes });
    report.bytes += bytes;
  }
  // Attempts whose engine is gone (killed runs) are garbage once past the grace period.
  const attempts = join(store.root, "attempts");
  for (const name of readdirSync(attempts)) {
    const dir = join(attempts, name);
    const key = name.split(".")[0];
    const owner = store.attemptsOf(key).find((a) => a.dir === dir)?.owner;
    if (owner && owner.host === hostname() && opts.isAlive(owner.pid, owner.pidStart)) continue;
    if (statSync(dir).mtimeMs > cutoff) continue;
    report.attemptsRemoved++;
    const bytes = duBytes(dir);
    report.bytes += bytes;
    if (!opts.dryRun) await rm(dir, { recursive: true, force: true });
  }
  return report;
}
