// A remote store (S3) seen through a local cache directory. Stages always read and write local paths; what is
// published goes to S3 too, what another machine published is downloaded (and verified) when a stage consumes it,
// leases live in S3 so runners on different machines coordinate, and checkpoints follow the lease's heartbeat.
import { mkdirSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { fsyncDir, writeFileAtomic } from "./atomic.js";
import { FsStore, defaultLeaseOptions } from "./fs-store.js";
import { Leases } from "./lease/leases.js";
import type { Manifest } from "./manifest.js";
import { explainS3Error, makeClient, parseS3Url, type S3Location } from "./s3/client.js";
import { S3LeaseBackend } from "./s3/lease-backend.js";
import { S3Remote } from "./s3/remote.js";
import { CorruptObject } from "./verify.js";
import { listProgressS3, removeProgressS3, writeProgressS3 } from "./progress-s3.js";
import type { ProgressRecord } from "./progress.js";
import type { RunLog } from "./runs.js";
import type { Attempt, AttemptOwner, Store } from "./store.js";

export class LayeredStore implements Store {
  readonly leases: Leases;
  private remoteKeys = new Set<string>();
  private readonly remote: S3Remote;
  private readonly loc: S3Location;

  private constructor(readonly local: FsStore, url: string) {
    this.loc = parseS3Url(url);
    this.remote = new S3Remote(makeClient(), this.loc);
    this.leases = new Leases(new S3LeaseBackend(this.remote.s3, this.loc), defaultLeaseOptions());
    this.runs = local.runs;
  }

  /** Opens the store and lists what is published remotely (one cheap listing of manifests). */
  static async open(url: string, cacheDir: string): Promise<LayeredStore> {
    const s = new LayeredStore(new FsStore(cacheDir), url);
    await s.refresh();
    return s;
  }

  readonly runs: RunLog;

  get location(): string {
    return this.loc.url;
  }

  private wrap<T>(p: Promise<T>): Promise<T> {
    return p.catch((e) => {
      throw e instanceof CorruptObject ? e : explainS3Error(e, this.loc);
    });
  }

  async refresh(): Promise<void> {
    this.remoteKeys = await this.wrap(this.remote.publishedKeys());
  }

  publishedKeys(): Set<string> {
    return new Set([...this.local.publishedKeys(), ...this.remoteKeys]);
  }

  hasObject(key: string): boolean {
    return this.local.hasObject(key);
  }

  async isPublished(key: string): Promise<boolean> {
    return this.local.hasObject(key) || (await this.wrap(this.remote.has(key)));
  }

  /** Downloads a remote object into the local cache, verified file by file, and publishes it there atomically. */
  async materialize(key: string): Promise<void> {
    if (this.local.hasObject(key)) return;
    const m = await this.wrap(this.remote.manifest(key));
    if (!m) throw new Error(`object ${key.slice(0, 10)} is not in ${this.loc.url}`);
    const tmp = join(this.local.root, "attempts", `${key}.pull-${randomBytes(3).toString("hex")}`);
    mkdirSync(join(tmp, "out"), { recursive: true });
    try {
      await this.wrap(this.remote.download(m, join(tmp, "out")));
      writeFileAtomic(join(tmp, "manifest.json"), JSON.stringify(m, null, 1));
      fsyncDir(tmp);
      await rename(tmp, join(this.local.root, "objects", key)).catch((e) => {
        if (!this.local.hasObject(key)) throw e; // else another process pulled it first
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  outputPath(key: string, output: string): string {
    return this.local.outputPath(key, output);
  }

  readManifest(key: string): Manifest | undefined {
    return this.local.readManifest(key);
  }

  beginAttempt(key: string, owner: AttemptOwner): Promise<Attempt> {
    return this.local.beginAttempt(key, owner);
  }

  updateOwner(attempt: Attempt, owner: AttemptOwner): void {
    this.local.updateOwner(attempt, owner);
  }

  attemptsOf(key: string) {
    return this.local.attemptsOf(key);
  }

  /** Publishes locally, then remotely (files first, manifest last and only if absent). */
  async publish(attempt: Attempt, manifest: Manifest): Promise<"published" | "exists"> {
    const local = await this.local.publish(attempt, manifest);
    const m = this.local.readManifest(attempt.key)!;
    const remote = await this.wrap(this.remote.upload(m, join(this.local.root, "objects", attempt.key, "out")));
    this.remoteKeys.add(attempt.key);
    return local === "exists" || remote === "exists" ? "exists" : "published";
  }

  discard(attempt: Attempt): Promise<void> {
    return this.local.discard(attempt);
  }

  removeAttemptDir(dir: string): Promise<void> {
    return this.local.removeAttemptDir(dir);
  }

  checkpointDir(key: string): string {
    return this.local.checkpointDir(key);
  }

  tensorboardDir(key: string): string | undefined {
    return this.local.tensorboardDir(key);
  }

  logsOf(key: string): string[] {
    return this.local.logsOf(key);
  }

  /** A corrupt object is set aside here and unpublished in S3, so every runner makes it again. */
  async quarantine(key: string, reason: string): Promise<void> {
    if (this.local.hasObject(key)) await this.local.quarantine(key, reason);
    await this.wrap(this.remote.unpublish(key));
    this.remoteKeys.delete(key);
  }

  removeObject(key: string): Promise<number> {
    return this.local.removeObject(key);
  }

  statePath(name: string): string {
    return this.local.statePath(name);
  }

  /** Uploads a locally published object unless the remote has it: "pushed" or "present". */
  async pushObject(key: string): Promise<"pushed" | "present"> {
    if (this.remoteKeys.has(key) || (await this.wrap(this.remote.has(key)))) return "present";
    const m = this.local.readManifest(key);
    if (!m) throw new Error(`object ${key.slice(0, 10)} is not in the local store`);
    const r = await this.wrap(this.remote.upload(m, join(this.local.root, "objects", key, "out")));
    this.remoteKeys.add(key);
    return r === "published" ? "pushed" : "present";
  }

  pushCheckpoint(key: string): Promise<void> {
    return this.wrap(this.remote.pushCheckpoint(key, this.local.checkpointDir(key)));
  }

  async clearCheckpoint(key: string): Promise<void> {
    await this.local.clearCheckpoint(key);
    await this.wrap(this.remote.clearCheckpoint(key));
  }

  async pullCheckpoint(key: string): Promise<void> {
    await this.wrap(this.remote.pullCheckpoint(key, this.local.checkpointDir(key)));
  }

  // Progress records live in S3 so a watcher on any machine sees them (cache/progress-s3.ts).
  writeProgress(rec: ProgressRecord): Promise<void> {
    return this.wrap(writeProgressS3(this.remote.s3, this.loc, rec));
  }

  removeProgress(key: string): Promise<void> {
    return this.wrap(removeProgressS3(this.remote.s3, this.loc, key));
  }

  listProgress(): Promise<ProgressRecord[]> {
    return this.wrap(listProgressS3(this.remote.s3, this.loc));
  }
}
