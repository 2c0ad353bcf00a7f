// Garbage collection: remove objects and checkpoints no root run references, never within the grace period, and stale
// attempts. Roots are each pipeline's last complete run(s) and every run newer than them (see RunLog.roots).
import { existsSync, readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { hostname } from "node:os";
import { duBytes } from "./fs-store.js";
import type { FsLayout } from "./layout.js";
import type { AttemptsPart, ObjectStore, RunStore } from "./store.js";

export interface GcOptions {
  dryRun: boolean;
  /** Keep objects referenced by the last N complete runs of every pipeline (and any run newer than those). */
  keepLast: number;
  /** Grace period: never remove anything younger than this (ms). */
  olderThanMs: number;
  isAlive: (pid: number, startTime?: string) => boolean;
}

export interface GcReport {
  roots: number;
  removed: Array<{ key: string; bytes: number }>;
  attemptsRemoved: number;
  checkpointsRemoved: Array<{ key: string; bytes: number }>;
  bytes: number;
}

/** What gc reads and removes: run roots, objects, attempts, and the local layout it walks (a filesystem store). */
export type GcStore = ObjectStore & AttemptsPart & RunStore & { readonly layout: FsLayout };

export async function collectGarbage(store: GcStore, opts: GcOptions): Promise<GcReport> {
  const roots = new Set<string>();
  for (const p of store.runs.pipelines()) for (const r of store.runs.roots(p, opts.keepLast)) for (const s of Object.values(r.stages)) roots.add(s.key);
  const cutoff = Date.now() - opts.olderThanMs;
  const report: GcReport = { roots: roots.size, removed: [], attemptsRemoved: 0, checkpointsRemoved: [], bytes: 0 };
  for (const key of store.publishedKeys()) {
    if (roots.has(key)) continue;
    const m = store.readManifest(key);
    const made = m ? Date.parse(m.timings.finished) : statSync(store.layout.object(key)).mtimeMs;
    if (made > cutoff) continue;
    const bytes = opts.dryRun ? duBytes(store.layout.object(key)) : await store.removeObject(key);
    report.removed.push({ key, bytes });
    report.bytes += bytes;
  }
  // Attempts whose engine is gone (killed runs) are garbage once past the grace period.
  const attempts = store.layout.attempts();
  for (const name of readdirSync(attempts)) {
    const dir = join(attempts, name);
    const key = store.layout.keyOfAttempt(name);
    const owner = store.attempts.of(key).find((a) => a.dir === dir)?.owner;
    if (owner && owner.host === hostname() && opts.isAlive(owner.pid, owner.pidStart)) continue;
    if (statSync(dir).mtimeMs > cutoff) continue;
    report.attemptsRemoved++;
    const bytes = duBytes(dir);
    report.bytes += bytes;
    if (!opts.dryRun) await rm(dir, { recursive: true, force: true });
  }
  // Checkpoints: resumable state of a key nobody will resume (not a root, or already published), untouched for the grace
  // period and not being made (no lease, no live attempt on this host).
  const checkpoints = store.layout.checkpoints();
  for (const key of existsSync(checkpoints) ? readdirSync(checkpoints) : []) {
    if (roots.has(key) && !store.hasObject(key)) continue;
    if (existsSync(store.layout.lease(key))) continue;
    if (store.attempts.of(key).some((a) => !a.owner || a.owner.host !== hostname() || opts.isAlive(a.owner.pid, a.owner.pidStart))) continue;
    const dir = store.layout.checkpoint(key);
    if (newestMtime(dir) > cutoff) continue;
    const bytes = duBytes(dir);
    if (!opts.dryRun) await rm(dir, { recursive: true, force: true });
    report.checkpointsRemoved.push({ key, bytes });
    report.bytes += bytes;
  }
  return report;
}

/** Newest modification time in a tree: checkpoint files are rewritten in place, which leaves the directory's alone. */
function newestMtime(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const n of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, n.name);
    newest = Math.max(newest, n.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
