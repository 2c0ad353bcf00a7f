// The store on a local or shared filesystem. Publishing is one rename of a complete attempt directory, so an object
// either exists whole (with its manifest) or not at all. No flock: only create-exclusive files, rename and fsync.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { fsyncDir, writeFileAtomic } from "./atomic.js";
import type { Manifest } from "./manifest.js";
import { FsLeaseBackend } from "./lease/fs-backend.js";
import { Leases, type LeaseOptions } from "./lease/leases.js";
import { isSameProcessAlive, processStartTime } from "../lib/os/process-liveness.js";
import { parseProgress, type ProgressRecord } from "./progress.js";
import { RunLog } from "./runs.js";
import type { Attempt, AttemptOwner, Store } from "./store.js";

const OWNER_FILE = "owner.json";
/** Subdirectory of a checkpoint directory where the worker writes TensorBoard event files (worker/tracking.py). */
const TENSORBOARD = "tensorboard";

export class FsStore implements Store {
  readonly root: string;
  readonly runs: RunLog;
  readonly leases: Leases;

  constructor(root: string, leaseOptions: LeaseOptions = defaultLeaseOptions()) {
    this.root = resolve(root);
    for (const d of ["objects", "attempts", "checkpoints", "logs", "runs", "quarantine", "state", "leases"]) {
      mkdirSync(join(this.root, d), { recursive: true });
    }
    this.runs = new RunLog(join(this.root, "runs"));
    this.leases = new Leases(new FsLeaseBackend(join(this.root, "leases")), leaseOptions);
  }

  async isPublished(key: string): Promise<boolean> {
    return this.hasObject(key);
  }

  async materialize(key: string): Promise<void> {
    if (!this.hasObject(key)) throw new Error(`object ${key.slice(0, 10)} is not in the store ${this.root}`);
  }

  async pushCheckpoint(): Promise<void> {}

  async pullCheckpoint(): Promise<void> {}

  async clearCheckpoint(key: string): Promise<void> {
    // The training curves outlive the checkpoints: they are how a finished run is looked at (docs/monitoring.md).
    const tb = join(this.root, "checkpoints", key, TENSORBOARD);
    if (existsSync(tb)) {
      const dest = join(this.root, TENSORBOARD, key);
      await rm(dest, { recursive: true, force: true });
      mkdirSync(join(this.root, TENSORBOARD), { recursive: true });
      await rename(tb, dest);
    }
    await rm(join(this.root, "checkpoints", key), { recursive: true, force: true });
  }

  tensorboardDir(key: string): string | undefined {
    return [join(this.root, TENSORBOARD, key), join(this.root, "checkpoints", key, TENSORBOARD)].find((d) => existsSync(d));
  }

  get location(): string {
    return this.root;
  }

  private objectDir(key: string): string {
    return join(this.root, "objects", key);
  }

  publishedKeys(): Set<string> {
    return new Set(readdirSync(join(this.root, "objects")));
  }

  hasObject(key: string): boolean {
    return existsSync(join(this.objectDir(key), "manifest.json"));
  }

  outputPath(key: string, output: string): string {
    return join(this.objectDir(key), "out", output);
  }

  readManifest(key: string): Manifest | undefined {
    try {
      return JSON.parse(readFileSync(join(this.objectDir(key), "manifest.json"), "utf8"));
    } catch {
      return undefined;
    }
  }

  async beginAttempt(key: string, owner: AttemptOwner): Promise<Attempt> {
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const dir = join(this.root, "attempts", `${key}.${id}`);
    const attempt: Attempt = {
      key,
      id,
      dir,
      outDir: join(dir, "out"),
      workDir: join(dir, "work"),
      logFile: join(this.root, "logs", key, `${id}.log`),
    };
    mkdirSync(attempt.outDir, { recursive: true });
    mkdirSync(attempt.workDir, { recursive: true });
    mkdirSync(join(this.root, "logs", key), { recursive: true });
    this.updateOwner(attempt, owner);
    return attempt;
  }

  updateOwner(attempt: Attempt, owner: AttemptOwner): void {
    writeFileSync(join(attempt.dir, OWNER_FILE), JSON.stringify(owner));
  }

  attemptsOf(key: string): Array<{ dir: string; owner?: AttemptOwner }> {
    const base = join(this.root, "attempts");
    return readdirSync(base)
      .filter((n) => n.startsWith(`${key}.`))
      .map((n) => {
        const dir = join(base, n);
        try {
          return { dir, owner: JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as AttemptOwner };
        } catch {
          return { dir };
        }
      });
  }

  async publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists"> {
    await rm(attempt.workDir, { recursive: true, force: true });
    rmSync(join(attempt.dir, OWNER_FILE), { force: true });
    writeFileAtomic(join(attempt.dir, "manifest.json"), JSON.stringify(manifest, null, 1));
    fsyncDir(attempt.dir);
    fsyncDir(attempt.outDir);
    const target = this.objectDir(attempt.key);
    try {
      // rename(2) of a directory onto an existing non-empty directory fails: the first publisher wins.
      await rename(attempt.dir, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === "ENOTEMPTY" || code === "EEXIST") && this.hasObject(attempt.key)) {
        await this.discard(attempt);
        return "exists";
      }
      throw e;
    }
    fsyncDir(join(this.root, "objects"));
    return "published";
  }

  async discard(attempt: Attempt): Promise<void> {
    await this.removeAttemptDir(attempt.dir);
  }

  async removeAttemptDir(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  checkpointDir(key: string): string {
    const d = join(this.root, "checkpoints", key);
    mkdirSync(d, { recursive: true });
    return d;
  }

  logsOf(key: string): string[] {
    const d = join(this.root, "logs", key);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .map((n) => join(d, n))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  }

  async quarantine(key: string, reason: string): Promise<void> {
    if (!this.hasObject(key)) return; // already set aside (another consumer found it first)
    const dest = join(this.root, "quarantine", `${key}.${Date.now().toString(36)}`);
    await rename(this.objectDir(key), dest);
    writeFileSync(join(dest, "QUARANTINED.txt"), `${new Date().toISOString()} ${reason}\n`);
  }

  async removeObject(key: string): Promise<number> {
    const dir = this.objectDir(key);
    const bytes = duBytes(dir);
    // Rename first so a reader never sees a half-deleted object.
    const doomed = join(this.root, "attempts", `${key}.gc-${randomBytes(3).toString("hex")}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
    await rm(join(this.root, "checkpoints", key), { recursive: true, force: true });
    await rm(join(this.root, TENSORBOARD, key), { recursive: true, force: true });
    return bytes;
  }

  statePath(name: string): string {
    return join(this.root, "state", name);
  }

  // Progress records of running attempts (cache/progress.ts): progress/<key>.json, replaced atomically.
  async writeProgress(rec: ProgressRecord): Promise<void> {
    mkdirSync(join(this.root, "progress"), { recursive: true });
    writeFileAtomic(join(this.root, "progress", `${rec.key}.json`), JSON.stringify(rec));
  }

  async removeProgress(key: string): Promise<void> {
    await rm(join(this.root, "progress", `${key}.json`), { force: true });
  }

  async listProgress(): Promise<ProgressRecord[]> {
    const dir = join(this.root, "progress");
    if (!existsSync(dir)) return [];
    const out: ProgressRecord[] = [];
    for (const n of readdirSync(dir)) {
      if (!n.endsWith(".json")) continue;
      const r = parseProgress(readFileSync(join(dir, n), { encoding: "utf8", flag: "r" }));
      if (r) out.push(r);
    }
    return out;
  }
}

/** Lease timing: $DNAFLOW_LEASE_TTL seconds (default 60); a held lease heartbeats every TTL/3. */
export function defaultLeaseOptions(): LeaseOptions {
  const ttlMs = Number(process.env.DNAFLOW_LEASE_TTL || 60) * 1000;
  return { ttlMs, pollMs: Math.min(2000, Math.max(100, ttlMs / 4)), isAlive: isSameProcessAlive, pidStart: processStartTime(process.pid) };
}

export function duBytes(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, n) => a + duBytes(join(path, n)), 0);
}
