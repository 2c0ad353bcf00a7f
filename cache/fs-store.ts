// The store on a local or shared filesystem. Publishing is one rename of a complete attempt directory, so an object
// either exists whole (with its manifest) or not at all. No flock: only create-exclusive files, rename and fsync.
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { SpecError, withPath } from "../core/errors.js";
import { fsyncDir, fsyncTree, writeFileAtomic } from "./atomic.js";
import type { Manifest } from "./manifest.js";
import { FsAttempts } from "./fs-attempts.js";
import { FsLeaseBackend } from "./lease/fs-backend.js";
import { FsLayout } from "./layout.js";
import { heartbeatMs, Leases, type LeaseOptions } from "./lease/leases.js";
import { isSameProcessAlive, processStartTime } from "../lib/os/process-liveness.js";
import { parseProgress, type ProgressRecord } from "./progress.js";
import { RunLog } from "./runs.js";
import type { Attempt, Store } from "./store.js";

export class FsStore implements Store {
  readonly root: string;
  readonly layout: FsLayout;
  readonly attempts: FsAttempts;
  readonly runs: RunLog;
  readonly leases: Leases;

  constructor(root: string, leaseOptions: LeaseOptions = defaultLeaseOptions()) {
    this.root = resolve(root);
    const st = statSync(this.root, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) {
      throw new SpecError([{ message: `store ${this.root} is a file, not a directory: --store (or $DNAFLOW_STORE) takes a directory or s3://bucket/prefix` }]);
    }
    this.layout = new FsLayout(this.root);
    for (const dir of this.layout.directories()) {
      if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue; // a read-only store that exists is readable
      try {
        mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw withPath(whyNotCreated(e, dir), dir);
      }
    }
    this.attempts = new FsAttempts(this.layout);
    this.runs = new RunLog(this.layout);
    this.leases = new Leases(new FsLeaseBackend(this.layout.leases()), leaseOptions);
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
    const tb = this.layout.checkpointTensorboard(key);
    if (existsSync(tb)) {
      const dest = this.layout.tensorboard(key);
      await rm(dest, { recursive: true, force: true });
      mkdirSync(this.layout.tensorboards(), { recursive: true });
      await rename(tb, dest);
    }
    await rm(this.layout.checkpoint(key), { recursive: true, force: true });
  }

  tensorboardDir(key: string): string | undefined {
    return [this.layout.tensorboard(key), this.layout.checkpointTensorboard(key)].find((d) => existsSync(d));
  }

  get location(): string {
    return this.root;
  }

  /** One directory listing; has() also checks the key's manifest is whole (a 0-byte or truncated one is not published). */
  publishedKeys(): Set<string> {
    return new PublishedKeys(readdirSync(this.layout.objects()), (key) => this.hasObject(key));
  }

  /** Published here: the object's manifest exists and is whole. An unreadable manifest means not published, everywhere. */
  hasObject(key: string): boolean {
    return manifestIsWhole(this.layout.objectManifest(key));
  }

  outputPath(key: string, output: string): string {
    return this.layout.output(key, output);
  }

  readManifest(key: string): Manifest | undefined {
    try {
      return JSON.parse(readFileSync(this.layout.objectManifest(key), "utf8"));
    } catch {
      return undefined;
    }
  }

  async publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists"> {
    await rm(attempt.workDir, { recursive: true, force: true });
    rmSync(this.layout.attemptOwner(attempt.dir), { force: true });
    await fsyncTree(attempt.outDir); // the bytes the manifest vouches for are on disk before it is
    writeFileAtomic(this.layout.attemptManifest(attempt.dir), JSON.stringify(manifest, null, 1));
    fsyncDir(attempt.dir);
    const target = this.layout.object(attempt.key);
    for (let tries = 0; ; tries++) {
      try {
        // rename(2) of a directory onto an existing non-empty directory fails: the first publisher wins.
        await rename(attempt.dir, target);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === "ENOTEMPTY" || code === "EEXIST") && this.hasObject(attempt.key)) {
          await this.attempts.discard(attempt);
          return "exists";
        }
        if ((code === "ENOTEMPTY" || code === "EEXIST") && tries === 0) {
          // The object there has no whole manifest (damaged on disk): it was never usable; set it aside and publish.
          await this.setAside(attempt.key, "manifest.json missing, empty or truncated");
          continue;
        }
        throw e;
      }
    }
    fsyncDir(this.layout.objects());
    return "published";
  }

  checkpointDir(key: string): string {
    const d = this.layout.checkpoint(key);
    mkdirSync(d, { recursive: true });
    return d;
  }

  async quarantine(key: string, reason: string): Promise<void> {
    // An object whose manifest is unreadable is set aside too; one already gone was set aside by another consumer.
    await this.setAside(key, reason);
  }

  private async setAside(key: string, reason: string): Promise<void> {
    const dest = this.layout.quarantined(key, Date.now().toString(36));
    try {
      await rename(this.layout.object(key), dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // another runner set it aside first
      throw e;
    }
    writeFileSync(this.layout.quarantineNote(dest), `${new Date().toISOString()} ${reason}\n`);
  }

  async removeObject(key: string): Promise<number> {
    const dir = this.layout.object(key);
    const bytes = duBytes(dir);
    // Rename first so a reader never sees a half-deleted object.
    const doomed = this.layout.attempt(key, `gc-${randomBytes(3).toString("hex")}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
    await rm(this.layout.checkpoint(key), { recursive: true, force: true });
    await rm(this.layout.tensorboard(key), { recursive: true, force: true });
    return bytes;
  }

  statePath(name: string): string {
    return this.layout.state(name);
  }

  // Progress records of running attempts (cache/progress.ts): progress/<key>.json, replaced atomically.
  async writeProgress(rec: ProgressRecord): Promise<void> {
    mkdirSync(this.layout.progressDir(), { recursive: true });
    writeFileAtomic(this.layout.progress(rec.key), JSON.stringify(rec));
  }

  async removeProgress(key: string): Promise<void> {
    await rm(this.layout.progress(key), { force: true });
  }

  async listProgress(): Promise<ProgressRecord[]> {
    const dir = this.layout.progressDir();
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

/** Keys listed in objects/, where has() is true only for an object with a whole manifest (checked on asking). */
class PublishedKeys extends Set<string> {
  constructor(
    listed: string[],
    private readonly whole: (key: string) => boolean,
  ) {
    super(listed);
  }
  override has(key: string): boolean {
    return super.has(key) && this.whole(key);
  }
}

const HEAD = Buffer.alloc(64 * 1024);

/**
 * A manifest is written as indented JSON ending in "\n}" (the only closing brace at column 0), so its last two bytes
 * tell a whole one from a 0-byte or truncated one without parsing: one read for a manifest under 64 KiB (three
 * syscalls per key, on every plan). Anything else is parsed to be sure.
 */
export function manifestIsWhole(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    let n = readSync(fd, HEAD, 0, HEAD.length, 0);
    let tail = HEAD.subarray(Math.max(0, n - 2), n);
    if (n === HEAD.length) {
      const size = fstatSync(fd).size;
      n = readSync(fd, HEAD, 0, 2, size - 2);
      tail = HEAD.subarray(0, n);
    }
    if (tail.length === 2 && tail[0] === 0x0a && tail[1] === 0x7d) return true;
    if (n === 0) return false;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
  try {
    const m = JSON.parse(readFileSync(path, "utf8"));
    return !!m && typeof m === "object" && Array.isArray(m.files);
  } catch {
    return false;
  }
}

/** mkdir -p on a read-only mount says ENOENT: the nearest existing ancestor's write check says what it is (EROFS). */
function whyNotCreated(e: unknown, dir: string): unknown {
  if ((e as NodeJS.ErrnoException).code !== "ENOENT") return e;
  let anc = dirname(dir);
  while (!existsSync(anc) && dirname(anc) !== anc) anc = dirname(anc);
  try {
    accessSync(anc, constants.W_OK);
    return e;
  } catch (denied) {
    return Object.assign(denied as NodeJS.ErrnoException, { syscall: "mkdir", path: dir });
  }
}

/**
 * Lease timing: $DNAFLOW_LEASE_TTL seconds (default 60); a held lease heartbeats every TTL/3. A waiter polls at that
 * period (faster polls would see no more changes) but at least every 2 s, so it notices a publication soon; it takes
 * over a dead lease within about TTL + 2 polls.
 */
export function defaultLeaseOptions(): LeaseOptions {
  const ttlMs = Number(process.env.DNAFLOW_LEASE_TTL || 60) * 1000;
  return { ttlMs, pollMs: Math.min(2000, Math.max(100, heartbeatMs(ttlMs))), isAlive: isSameProcessAlive, pidStart: processStartTime(process.pid) };
}

export function duBytes(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, n) => a + duBytes(join(path, n)), 0);
}
